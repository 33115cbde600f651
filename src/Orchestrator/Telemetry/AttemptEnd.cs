namespace Orchestrator.Telemetry;

/// <summary>One step attempt that ended (committed), whoever ended it: the runner's report or the lease sweeper.</summary>
/// <param name="Traceparent">The run's W3C trace context (null for runs created before traces were recorded).</param>
public sealed record AttemptEnd(
    Guid RunId, Guid StepId, string Name, string Kind, int Attempt, DateTimeOffset? StartedAt, DateTimeOffset EndedAt,
    string Outcome, string? Error, string? Traceparent);
