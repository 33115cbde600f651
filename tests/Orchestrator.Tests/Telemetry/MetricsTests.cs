using System.Net;
using Contracts;
using Orchestrator.Tests.Infrastructure;

namespace Orchestrator.Tests.Telemetry;

public sealed class MetricsTests
{
    [Fact]
    public async Task Metrics_ARunWithARetry_ParseAndCountItsAttemptsAndTheDatabaseState()
    {
        await using var h = await Harness.StartAsync("--Telemetry:GaugeRefreshMilliseconds", "0");
        using var anonymous = h.Server.Client();
        using var runner = await h.RunnerAsync();
        // 'unknown': the health sweeper turns any other status of an environment that serves nothing into it.
        await h.Database.ExecuteAsync("""
            INSERT INTO health_status (environment, status, since) VALUES ('local', 'unknown', now())
            ON CONFLICT (environment) DO UPDATE SET status = 'unknown'
            """);
        var run = await h.User.ApplyAsync(Specs.Local());

        var waiting = await ScrapeAsync(anonymous);
        Assert.Equal(1, waiting.Sum("orchestrator_queue_depth"));
        Assert.True(waiting.Sum("orchestrator_queue_oldest_ready_age_seconds") >= 0);
        Assert.Equal(1, waiting.Sum("orchestrator_runs", ("status", RunStatuses.Running), ("trigger", "api")));
        Assert.Equal(1, waiting.Sum("orchestrator_runners_online"));
        Assert.Equal(1, waiting.Sum("orchestrator_environment_health", ("environment", "local"), ("status", "unknown")));
        Assert.Equal(0, waiting.Sum("orchestrator_environment_health", ("environment", "local"), ("status", "healthy")));
        Assert.Equal(1, waiting.Sum("orchestrator_metrics_database_up"));

        var first = await runner.ClaimRequiredAsync();
        (await runner.CompleteAsync(first, StepStatuses.Failed, error: "disk full")).Dispose();
        var claims = await runner.DrainAsync(h.User, [run.Id]);
        await h.User.WaitForStatusAsync(run.Id, RunStatuses.Succeeded);

        var done = await ScrapeAsync(anonymous);
        Assert.Equal(0, done.Sum("orchestrator_queue_depth"));
        Assert.Equal(0, done.Sum("orchestrator_runs", ("status", RunStatuses.Running)));
        Assert.Equal(1, done.Sum("orchestrator_runs", ("status", RunStatuses.Succeeded), ("trigger", "api")));
        Assert.Equal(1, done.Sum("orchestrator_runs_created_total", ("trigger", "api")));
        Assert.Equal(1, done.Sum("orchestrator_step_attempts_total", ("kind", first.Kind), ("outcome", StepStatuses.Failed)));
        Assert.Equal(claims.Count, done.Sum("orchestrator_step_attempts_total", ("outcome", StepStatuses.Succeeded)));
        Assert.Equal(claims.Count + 1, done.Sum("orchestrator_step_attempt_duration_seconds_count"));
        Assert.Equal(claims.Count + 1, done.Sum("orchestrator_dispatch_latency_seconds_count"));
        Assert.Equal("histogram", done.Families["orchestrator_dispatch_latency_seconds"].Type);
        Assert.Equal("counter", done.Families["orchestrator_lease_expiries_total"].Type);
    }

    [Fact]
    public async Task Metrics_Disabled_Is404()
    {
        await using var h = await Harness.StartAsync("--Telemetry:Metrics", "false");
        using var anonymous = h.Server.Client();
        using var response = await anonymous.GetAsync("/metrics");
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    private static async Task<PrometheusText> ScrapeAsync(HttpClient client)
    {
        using var response = await client.GetAsync("/metrics");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.StartsWith("text/plain", response.Content.Headers.ContentType?.MediaType, StringComparison.Ordinal);
        return PrometheusText.Parse(await response.Content.ReadAsStringAsync());
    }
}
