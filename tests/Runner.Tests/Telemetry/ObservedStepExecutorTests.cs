using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json.Nodes;
using Contracts;
using Contracts.Protocol;
using Orchestrator.Tests.Telemetry;
using Runner.Agent;
using Runner.Telemetry;

namespace Runner.Tests.Telemetry;

public sealed class ObservedStepExecutorTests
{
    private const string Traceparent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";

    [Fact]
    public async Task Execute_WithTheRunsTraceInTheClaim_WorksInsideAStepSpanUnderIt_AndCounts()
    {
        var kind = $"test.ok-{Guid.NewGuid():N}";
        var claim = Claim(kind);
        using var spans = new SpanRecorder();
        Activity? during = null;
        var executor = new ObservedStepExecutor(new DelegateExecutor(_ =>
        {
            during = Activity.Current;
            return Task.FromResult(StepResult.Succeeded());
        }), TimeProvider.System);

        var result = await executor.ExecuteAsync(Context(claim), CancellationToken.None);

        Assert.Equal(StepStatuses.Succeeded, result.Outcome);
        var span = Assert.Single(spans.Of(claim.RunId));
        Assert.Same(span, during);
        Assert.Equal("0af7651916cd43dd8448eb211c80319c", span.TraceId.ToHexString());
        Assert.Equal("b7ad6b7169203331", span.ParentSpanId.ToHexString());
        Assert.Equal(StepStatuses.Succeeded, span.GetTagItem("step.outcome"));
        var metrics = await ScrapeAsync();
        Assert.Equal(1, metrics.Sum("runner_steps_total", ("kind", kind), ("outcome", StepStatuses.Succeeded)));
        Assert.Equal(1, metrics.Sum("runner_step_duration_seconds_count", ("kind", kind), ("outcome", StepStatuses.Succeeded)));
        Assert.Equal(0, metrics.Sum("runner_steps_running", ("kind", kind)));
    }

    [Fact]
    public async Task Execute_WorkThrows_RethrowsAndCountsAFailure()
    {
        var kind = $"test.throws-{Guid.NewGuid():N}";
        var claim = Claim(kind);
        using var spans = new SpanRecorder();
        var executor = new ObservedStepExecutor(new DelegateExecutor(_ => throw new InvalidOperationException("boom")), TimeProvider.System);

        await Assert.ThrowsAsync<InvalidOperationException>(() => executor.ExecuteAsync(Context(claim), CancellationToken.None));

        Assert.Equal(ActivityStatusCode.Error, Assert.Single(spans.Of(claim.RunId)).Status);
        Assert.Equal(1, (await ScrapeAsync()).Sum("runner_steps_total", ("kind", kind), ("outcome", StepStatuses.Failed)));
    }

    [Fact]
    public async Task MetricsServer_OnItsPort_ServesTheRunnersMetricsInPrometheusText()
    {
        RunnerMetrics.ChildProcessesStarted.WithLabels("attached").Inc(0);
        var port = FreePort.Next();
        using var server = new MetricsServer(port);
        await server.StartAsync(CancellationToken.None);
        try
        {
            using var http = new HttpClient();
            var parsed = PrometheusText.Parse(await http.GetStringAsync(new Uri($"http://127.0.0.1:{port}/metrics")));
            Assert.Equal("gauge", parsed.Families["runner_child_processes"].Type);
            Assert.Equal("counter", parsed.Families["runner_child_processes_started_total"].Type);
        }
        finally
        {
            await server.StopAsync(CancellationToken.None);
        }
    }

    private static async Task<PrometheusText> ScrapeAsync()
    {
        using var stream = new MemoryStream();
        await RunnerMetrics.Registry.CollectAndExportAsTextAsync(stream);
        return PrometheusText.Parse(System.Text.Encoding.UTF8.GetString(stream.ToArray()));
    }

    private static StepClaim Claim(string kind) => new()
    {
        StepId = Guid.NewGuid(), RunId = Guid.NewGuid(), Environment = "local", Revision = "r1", Name = kind, Kind = kind, Attempt = 1,
        LeaseToken = Guid.NewGuid(), LeaseExpiresAt = DateTimeOffset.UtcNow.AddMinutes(1), TimeoutSeconds = 60, Traceparent = Traceparent,
        Spec = new JsonObject
        {
            ["environment"] = "local",
            ["model"] = new JsonObject { ["family"] = "llama-3", ["size"] = "tiny", ["source"] = "file:///tmp/model" },
        },
    };

    private static StepContext Context(StepClaim claim) => new(claim, new Local.RecordingLog(), new WorkStop(new CancellationTokenSource()));

    private sealed class DelegateExecutor(Func<StepContext, Task<StepResult>> work) : IStepExecutor
    {
        public Task<StepResult> ExecuteAsync(StepContext step, CancellationToken cancellationToken) => work(step);
    }

    /// <summary>Listens to the runner's source (listeners are process-wide: filter by run).</summary>
    private sealed class SpanRecorder : IDisposable
    {
        private readonly ConcurrentQueue<Activity> _stopped = new();
        private readonly ActivityListener _listener;

        public SpanRecorder()
        {
            _listener = new ActivityListener
            {
                ShouldListenTo = source => source.Name == RunnerTracing.SourceName,
                Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
                ActivityStopped = _stopped.Enqueue,
            };
            ActivitySource.AddActivityListener(_listener);
        }

        public IReadOnlyList<Activity> Of(Guid runId) => _stopped.Where(a => (string?)a.GetTagItem("run.id") == runId.ToString()).ToList();

        public void Dispose() => _listener.Dispose();
    }
}
