namespace Orchestrator.Tests.Telemetry;

/// <summary>The test parser must refuse what Prometheus refuses, or the metrics tests prove nothing.</summary>
public sealed class PrometheusTextTests
{
    private const string Good = """
        # HELP a_total Things.
        # TYPE a_total counter
        a_total{kind="x",path="c:\\d \"q\""} 3
        # TYPE h histogram
        h_bucket{le="1"} 1
        h_bucket{le="+Inf"} 2
        h_sum 3.5
        h_count 2

        """;

    [Fact]
    public void Parse_WellFormed_ReadsFamiliesLabelsAndValues()
    {
        var parsed = PrometheusText.Parse(Good.Replace("\r", "", StringComparison.Ordinal));
        Assert.Equal("counter", parsed.Families["a_total"].Type);
        Assert.Equal("c:\\d \"q\"", parsed.Families["a_total"].Samples[0].Labels["path"]);
        Assert.Equal(2, parsed.Sum("h_count"));
        Assert.Equal(3, parsed.Sum("a_total", ("kind", "x")));
    }

    [Theory]
    [InlineData("a 1")] // no final line feed
    [InlineData("a{b=\"1\"} x\n")] // not a value
    [InlineData("a{b=1} 1\n")] // unquoted label value
    [InlineData("a{b=\"1\",b=\"2\"} 1\n")] // a label twice
    [InlineData("a 1\na 2\n")] // a series twice
    [InlineData("a 1\nb 1\na{x=\"1\"} 1\n")] // a family split in two
    [InlineData("a 1\n# TYPE a gauge\n")] // TYPE after its samples
    [InlineData("# TYPE a counter\na -1\n")] // a negative counter
    [InlineData("# TYPE h histogram\nh_bucket{le=\"1\"} 2\nh_bucket{le=\"+Inf\"} 1\nh_sum 1\nh_count 1\n")] // not cumulative
    [InlineData("# TYPE h histogram\nh_bucket{le=\"+Inf\"} 2\nh_sum 1\nh_count 3\n")] // +Inf is not the count
    [InlineData("1a 1\n")] // bad name
    [InlineData("a{b=\"\\x\"} 1\n")] // bad escape
    public void Parse_Malformed_Throws(string text) =>
        Assert.Throws<FormatException>(() => PrometheusText.Parse(text));
}
