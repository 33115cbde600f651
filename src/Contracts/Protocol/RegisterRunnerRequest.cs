namespace Contracts.Protocol;

/// <summary><c>POST /api/runners/register</c>, authenticated by a one-time registration token as bearer.</summary>
public sealed record RegisterRunnerRequest(string Name, IReadOnlyList<string> Labels);
