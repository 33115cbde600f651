namespace Orchestrator.Auth;

public sealed record TokenRecord
{
    public Guid Id { get; init; }
    public string Kind { get; init; } = "";
    public string Name { get; init; } = "";
    public Guid? RunnerId { get; init; }

    /// <summary>The runner's labels, for a runner token; empty otherwise.</summary>
    public string[] Labels { get; init; } = [];
}
