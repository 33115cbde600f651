namespace Orchestrator.Dispatch;

/// <summary>A claimed step as read from the database, JSON still as text; <see cref="ClaimableAt"/>: since when it could
/// be claimed; <see cref="Traceparent"/>: its run's trace context.</summary>
public sealed record ClaimedStep(
    Guid StepId,
    Guid RunId,
    string Name,
    string Kind,
    int Attempt,
    int TimeoutSeconds,
    string Parameters,
    string PreviousOutputs,
    string Environment,
    string Revision,
    string Spec,
    string EnvironmentState,
    string Inputs,
    Guid LeaseToken,
    DateTimeOffset LeaseExpiresAt,
    DateTimeOffset ClaimableAt,
    string? Traceparent);
