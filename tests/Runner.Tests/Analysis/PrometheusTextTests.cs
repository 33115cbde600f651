using Runner.Analysis;

namespace Runner.Tests.Analysis;

public sealed class PrometheusTextTests
{
    private const string ReplicaA = """
        # HELP jetstream_prefill_backlog_size Size of prefill queue
        # TYPE jetstream_prefill_backlog_size gauge
        jetstream_prefill_backlog_size{id="a",model_name="llama_3"} 2.0
        jetstream_slots_used_percentage{id="a",model_name="llama_3",idx="0"} 0.25
        jetstream_time_to_first_token_bucket{id="a",model_name="llama_3",le="0.1"} 3.0
        jetstream_time_to_first_token_count{id="a",model_name="llama_3"} 4.0
        jetstream_time_to_first_token_sum{id="a",model_name="llama_3"} 0.52
        untyped_without_labels 7
        """;

    private const string ReplicaB = "jetstream_prefill_backlog_size{id=\"b\"} 1.0\r\njetstream_slots_used_percentage{id=\"b\",idx=\"0\"} 0.75\r\n"
                                    + "jetstream_time_to_first_token_sum{id=\"b\"} 1.5e-1\r\n";

    [Theory]
    [InlineData("jetstream_prefill_backlog_size")]
    [InlineData("jetstream_slots_used_percentage")]
    [InlineData("jetstream_time_to_first_token_count")]
    [InlineData("jetstream_time_to_first_token_sum")]
    [InlineData("untyped_without_labels")]
    public void Totals_OnePass_AgreeWithSumAndAverage(string name)
    {
        string[] texts = [ReplicaA, ReplicaB];

        var totals = PrometheusText.Totals(texts, ["jetstream_time_to_first_token", name]);

        var (sum, series) = totals[name];
        Assert.Equal(PrometheusText.Sum(texts, name)!.Value, sum, 12);
        Assert.Equal(PrometheusText.Average(texts, name)!.Value, sum / series, 12);
    }

    [Fact]
    public void Totals_NameWithoutSamples_IsAbsent()
    {
        var totals = PrometheusText.Totals([ReplicaA], ["jetstream_time_per_output_token_sum", "jetstream_time_to_first_token"]);

        Assert.Empty(totals);
    }
}
