namespace Contracts.Protocol;

/// <summary>Per-item answer: <see cref="Stale"/> names the environments whose token is no longer current (their samples
/// were dropped); the runner must stop probing them.</summary>
public sealed record ReportSamplesResponse
{
    public int Accepted { get; init; }
    public IReadOnlyList<string> Stale { get; init; } = [];
}
