namespace Orchestrator.Telemetry;

/// <summary>What the dispatcher tells about steps, after its writes committed: metrics and the attempt's span.</summary>
public sealed class StepTelemetry(OrchestratorMetrics metrics)
{
    public const string Released = "released";
    public const string LeaseExpired = "lease_expired";
    public const string TimedOut = "timed_out";

    public void AttemptEnded(AttemptEnd end)
    {
        ArgumentNullException.ThrowIfNull(end);
        metrics.StepAttempts.WithLabels(end.Kind, end.Outcome).Inc();
        if (end.StartedAt is { } started)
            metrics.StepAttemptDuration.WithLabels(end.Kind, end.Outcome).Observe(Math.Max(0, (end.EndedAt - started).TotalSeconds));
        if (end.Outcome is LeaseExpired or TimedOut) metrics.LeaseExpiries.WithLabels(end.Outcome).Inc();
        OrchestratorTracing.RecordAttempt(end);
    }

    /// <summary>A step was claimed at <paramref name="now"/>; it could be claimed from <paramref name="claimableAt"/>.</summary>
    public void Claimed(string kind, DateTimeOffset claimableAt, DateTimeOffset now) =>
        metrics.DispatchLatency.WithLabels(kind).Observe(Math.Max(0, (now - claimableAt).TotalSeconds));
}
