namespace Contracts.Specs;

/// <summary>
/// The desired state of one environment (DESIGN.md "The rollout spec"). JSON on the API, YAML from files.
/// Every field but <see cref="Environment"/> and <see cref="Model"/> has a default.
/// </summary>
public sealed record RolloutSpec
{
    public string Environment { get; init; } = "";
    public ModelSpec Model { get; init; } = new();
    public EngineSpec Engine { get; init; } = new();
    public TargetSpec Target { get; init; } = new();
    public StrategySpec Strategy { get; init; } = new();
    public CleanupSpec Cleanup { get; init; } = new();
}
