namespace Contracts.Protocol;

/// <summary><c>POST /api/steps/{id}/logs</c>: a batch of up to a few hundred lines.</summary>
public sealed record AppendLogsRequest(Guid LeaseToken, IReadOnlyList<LogLine> Lines);
