namespace Orchestrator.Runs;

/// <summary>What created a run: <c>api</c>, <c>schedule</c> or <c>github-release</c>, who, and the details of that source
/// (a schedule's <c>scheduleId</c>; a release's <c>repository</c>, <c>releaseId</c>, <c>tag</c> and <c>deliveryId</c>).</summary>
public sealed record TriggerDto
{
    public string Kind { get; init; } = "api";
    public string? Actor { get; init; }
    public IReadOnlyDictionary<string, string>? Details { get; init; }
}
