namespace Contracts.Protocol;

public sealed record HeartbeatResponse(DateTimeOffset LeaseExpiresAt, bool CancelRequested);
