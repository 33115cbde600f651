namespace Orchestrator.Runs;

/// <summary>What created a run: <c>api</c>, <c>schedule</c> or <c>github-release</c>, and who.</summary>
public sealed record TriggerDto
{
    public string Kind { get; init; } = "api";
    public string? Actor { get; init; }
}
