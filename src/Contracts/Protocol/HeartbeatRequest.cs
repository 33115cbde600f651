namespace Contracts.Protocol;

/// <summary><c>POST /api/steps/{id}/heartbeat</c>. <see cref="Outputs"/>, when present, are merged into the step's
/// outputs at once (so a new attempt can resume, e.g. polling a stored operation); <see cref="Progress"/>, when present,
/// replaces the step's progress.</summary>
public sealed record HeartbeatRequest(Guid LeaseToken, System.Text.Json.Nodes.JsonObject? Outputs = null, StepProgress? Progress = null);
