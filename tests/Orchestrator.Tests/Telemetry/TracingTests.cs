using System.Diagnostics;
using System.Net;
using Contracts;
using OpenTelemetry.Trace;
using Orchestrator.Telemetry;
using Orchestrator.Tests.Infrastructure;

namespace Orchestrator.Tests.Telemetry;

/// <summary>The service's own tracing, with its exporter replaced by an in-memory one through the host's registrations.</summary>
public sealed class TracingTests
{
    [Fact]
    public async Task Run_StepFailsOnceThenSucceeds_TraceHasOneSpanPerAttempt()
    {
        var spans = new List<Activity>();
        // An endpoint turns tracing on; nothing listens there, and the in-memory exporter gets the same spans.
        await using var h = await Harness.StartAsync(
            builder => builder.Services.ConfigureOpenTelemetryTracerProvider(t => t.AddInMemoryExporter(spans)),
            "--Telemetry:OtlpEndpoint", "http://127.0.0.1:9");
        using var runner = await h.RunnerAsync();
        var run = await h.User.ApplyAsync(Specs.Local());

        var first = await runner.ClaimRequiredAsync();
        using (var failed = await runner.CompleteAsync(first, StepStatuses.Failed, error: "disk full"))
            Assert.Equal(HttpStatusCode.NoContent, failed.StatusCode);
        var claims = await runner.DrainAsync(h.User, [run.Id]);
        await h.User.WaitForStatusAsync(run.Id, RunStatuses.Succeeded);

        var traceparent = await h.Database.ScalarAsync<string>("SELECT traceparent FROM runs WHERE id = @Id", new { run.Id });
        Assert.True(ActivityContext.TryParse(traceparent, null, out var runContext));
        Assert.All(claims.Prepend(first), c => Assert.Equal(traceparent, c.Traceparent));
        Activity[] attempts;
        // Listeners are process-wide: other tests' hosts record spans here too, so only this run's count.
        lock (spans)
            attempts = spans.Where(s => s.Source.Name == OrchestratorTracing.SourceName && s.OperationName == OrchestratorTracing.AttemptSpan
                                        && (string?)s.GetTagItem("run.id") == run.Id.ToString()).ToArray();
        Assert.All(attempts, s =>
        {
            Assert.Equal(runContext.TraceId, s.TraceId);
            Assert.Equal(runContext.SpanId, s.ParentSpanId);
            Assert.True(s.Duration >= TimeSpan.Zero);
        });
        var byStep = attempts.GroupBy(s => (string)s.GetTagItem("step.name")!).ToDictionary(g => g.Key, g => g.OrderBy(s => (int)s.GetTagItem("step.attempt")!).ToList());
        Assert.Equal(claims.Select(c => c.Name).Distinct().Order(), byStep.Keys.Order());
        Assert.Equal(claims.Count + 1, attempts.Length);
        var retried = byStep[first.Name];
        Assert.Equal([1, 2], retried.Select(s => (int)s.GetTagItem("step.attempt")!));
        Assert.Equal([StepStatuses.Failed, StepStatuses.Succeeded], retried.Select(s => (string)s.GetTagItem("step.outcome")!));
        Assert.Equal(ActivityStatusCode.Error, retried[0].Status);
        Assert.True(retried[0].StartTimeUtc + retried[0].Duration <= retried[1].StartTimeUtc);
        // The run's own root span, and the service's instrumentation joined by its requests.
        lock (spans)
        {
            Assert.Contains(spans, s => s.OperationName == "run" && s.SpanId == runContext.SpanId && s.ParentSpanId == default);
            Assert.Contains(spans, s => s.Source.Name == "Microsoft.AspNetCore");
        }
    }
}
