namespace Contracts.Protocol;

/// <summary><c>POST /api/steps/{id}/release</c>: a runner that shuts down gracefully hands its step back; the step is
/// ready again at once and the attempt does not count against its limit.</summary>
public sealed record ReleaseStepRequest(Guid LeaseToken);
