using System.Globalization;
using Orchestrator.Tests.Telemetry;

namespace EndToEnd.Tests.Infrastructure;

/// <summary>The orchestrator's and a runner's <c>/metrics</c>, parsed strictly, and what one rollout must move in them.</summary>
internal static class Metrics
{
    public sealed record Scrape(PrometheusText Orchestrator, PrometheusText Runner);

    public static async Task<Scrape> ScrapeAsync(TestStack stack, int runnerMetricsPort)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        var orchestrator = await http.GetStringAsync(new Uri(stack.Server, "metrics"));
        // The runner's metrics server starts with its host: give a runner that just started a moment.
        string? runner = null;
        await Eventually.Async(async () =>
        {
            try
            {
                runner = await http.GetStringAsync(new Uri($"http://127.0.0.1:{runnerMetricsPort.ToString(CultureInfo.InvariantCulture)}/metrics"));
                return true;
            }
            catch (HttpRequestException)
            {
                return false;
            }
        }, TimeSpan.FromSeconds(30), () => $"the runner's /metrics on port {runnerMetricsPort} did not answer");
        return new Scrape(PrometheusText.Parse(orchestrator), PrometheusText.Parse(runner!));
    }

    /// <summary>One succeeded run on the local target, all of whose steps ran on the scraped runner.</summary>
    public static void AssertMovedWithARollout(Scrape before, Scrape after)
    {
        Assert.Equal(before.Orchestrator.Sum("orchestrator_runs", ("status", "succeeded")) + 1, after.Orchestrator.Sum("orchestrator_runs", ("status", "succeeded")));
        Assert.True(after.Orchestrator.Sum("orchestrator_runs_created_total") > before.Orchestrator.Sum("orchestrator_runs_created_total"));
        var steps = after.Orchestrator.Sum("orchestrator_step_attempts_total", ("outcome", "succeeded")) - before.Orchestrator.Sum("orchestrator_step_attempts_total", ("outcome", "succeeded"));
        Assert.True(steps >= 4, $"{steps} succeeded step attempts counted by the orchestrator");
        Assert.True(after.Orchestrator.Sum("orchestrator_dispatch_latency_seconds_count") - before.Orchestrator.Sum("orchestrator_dispatch_latency_seconds_count") >= steps);
        Assert.True(after.Orchestrator.Sum("orchestrator_step_attempt_duration_seconds_count", ("kind", "checkpoint.convert")) > 0);
        Assert.Equal(1, after.Orchestrator.Sum("orchestrator_runners_online"));
        Assert.Equal(0, after.Orchestrator.Sum("orchestrator_queue_depth"));

        var ran = after.Runner.Sum("runner_steps_total", ("outcome", "succeeded")) - before.Runner.Sum("runner_steps_total", ("outcome", "succeeded"));
        Assert.True(ran >= steps, $"the runner counted {ran} succeeded steps, the orchestrator {steps}");
        Assert.Equal(1, after.Runner.Sum("runner_step_duration_seconds_count", ("kind", "checkpoint.convert")) - before.Runner.Sum("runner_step_duration_seconds_count", ("kind", "checkpoint.convert")));
        Assert.Equal(0, after.Runner.Sum("runner_steps_running"));
        Assert.True(after.Runner.Sum("runner_child_processes_started_total") > before.Runner.Sum("runner_child_processes_started_total"),
            "the rollout started no process (the engine replica, the front, a converter)");
        Assert.Equal("histogram", after.Runner.Families["runner_step_duration_seconds"].Type);
    }
}
