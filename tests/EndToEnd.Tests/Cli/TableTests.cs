using Orchestrator.Cli;

namespace EndToEnd.Tests.Cli;

public sealed class TableTests
{
    [Fact]
    public void ToString_PadsColumnsToTheWidestCell_WithoutTrailingSpaces()
    {
        var table = new Table("STEP", "STATUS");
        table.Add("checkpoint.convert", "succeeded");
        table.Add("cleanup", "");

        Assert.Equal("STEP                STATUS\ncheckpoint.convert  succeeded\ncleanup\n", table.ToString());
    }

    [Theory]
    [InlineData(4.24, "4.2s")]
    [InlineData(63, "1m03s")]
    [InlineData(3725, "1h02m")]
    public void Duration_IsShortAndReadable(double seconds, string expected) =>
        Assert.Equal(expected, Json.Duration(TimeSpan.FromSeconds(seconds)));
}
