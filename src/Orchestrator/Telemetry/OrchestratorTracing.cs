using System.Diagnostics;

namespace Orchestrator.Telemetry;

/// <summary>
/// The service's own spans. A run gets a trace of its own when it is created (a short root span, linked to the request
/// that created it); its W3C context is stored on the run, so that every instance can hang the run's step attempts under
/// it and runners can join it. Without a listener (tracing off) nothing is built but a random context.
/// </summary>
public static class OrchestratorTracing
{
    public const string SourceName = "Orchestrator";
    public const string AttemptSpan = "step.attempt";

    private static readonly ActivitySource Source = new(SourceName);

    /// <summary>A new trace for a run; returns its traceparent.</summary>
    public static string StartRunTrace(Guid runId, string environment, string trigger)
    {
        var caller = Activity.Current;
        // The run's trace is its own, not the creating request's: that one only gets a link.
        Activity.Current = null;
        try
        {
            using var activity = Source.StartActivity(
                "run", ActivityKind.Internal, default(ActivityContext),
                [new("run.id", runId.ToString()), new("run.environment", environment), new("run.trigger", trigger)],
                caller is null ? null : [new ActivityLink(caller.Context)]);
            if (activity?.Id is { } id) return id;
        }
        finally
        {
            Activity.Current = caller;
        }
        return $"00-{ActivityTraceId.CreateRandom().ToHexString()}-{ActivitySpanId.CreateRandom().ToHexString()}-01";
    }

    /// <summary>Records the attempt as a span of its run's trace, from its claim to its end.</summary>
    public static void RecordAttempt(AttemptEnd end)
    {
        ArgumentNullException.ThrowIfNull(end);
        if (!Source.HasListeners()) return;
        ActivityContext.TryParse(end.Traceparent, null, isRemote: true, out var parent);
        var caller = Activity.Current;
        try
        {
            using var activity = Source.StartActivity(AttemptSpan, ActivityKind.Internal, parent, startTime: end.StartedAt ?? end.EndedAt);
            if (activity is null) return;
            activity.DisplayName = $"{end.Name} attempt {end.Attempt}";
            activity.SetTag("run.id", end.RunId.ToString());
            activity.SetTag("step.id", end.StepId.ToString());
            activity.SetTag("step.name", end.Name);
            activity.SetTag("step.kind", end.Kind);
            activity.SetTag("step.attempt", end.Attempt);
            activity.SetTag("step.outcome", end.Outcome);
            if (end.Outcome is not (Contracts.StepStatuses.Succeeded or Contracts.StepStatuses.Skipped or "released"))
                activity.SetStatus(ActivityStatusCode.Error, end.Error);
            activity.SetEndTime(end.EndedAt.UtcDateTime);
        }
        finally
        {
            Activity.Current = caller;
        }
    }
}
