using Orchestrator.Cli;

namespace EndToEnd.Tests.Cli;

public sealed class TableViewTests
{
    [Fact]
    public void ToString_PadsColumnsToTheWidestCell_WithoutTrailingSpaces()
    {
        var table = new TableView("STEP", "STATUS");
        table.Add("checkpoint.convert", "succeeded");
        table.Add("cleanup", "");

        Assert.Equal("STEP                STATUS\ncheckpoint.convert  succeeded\ncleanup\n", table.ToString());
    }

    [Fact]
    public void ToString_LongCells_NeverWrap()
    {
        var table = new TableView("ID", "DETAIL");
        var detail = new string('x', 500);
        table.Add("1", detail);

        Assert.Equal($"ID  DETAIL\n1   {detail}\n", table.ToString());
    }

    [Fact]
    public void ToString_ColouredStatus_IsPlainText()
    {
        var table = new TableView("STATUS");
        table.Add(TableView.Status("failed"));

        Assert.Equal("STATUS\nfailed\n", table.ToString());
    }

    [Theory]
    [InlineData(4.24, "4.2s")]
    [InlineData(63, "1m03s")]
    [InlineData(3725, "1h02m")]
    public void Duration_IsShortAndReadable(double seconds, string expected) =>
        Assert.Equal(expected, Json.Duration(TimeSpan.FromSeconds(seconds)));
}
