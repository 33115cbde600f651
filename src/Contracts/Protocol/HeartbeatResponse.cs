namespace Contracts.Protocol;

/// <summary>
/// <see cref="CancelRequested"/>: stop the work (the run ended or is being rolled back). <see cref="FinishRequested"/>:
/// the work has served its purpose and should end successfully now (a background analysis once its canary is promoted).
/// </summary>
public sealed record HeartbeatResponse(DateTimeOffset LeaseExpiresAt, bool CancelRequested, bool FinishRequested = false);
