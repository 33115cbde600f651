namespace Orchestrator.Auth;

public sealed record TokenRecord
{
    public Guid Id { get; init; }
    public string Kind { get; init; } = "";
    public string Name { get; init; } = "";
    public Guid? RunnerId { get; init; }
}
