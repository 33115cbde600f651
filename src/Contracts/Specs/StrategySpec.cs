namespace Contracts.Specs;

/// <summary>How traffic moves to a new revision. No canary means all traffic moves once the revision is live.</summary>
public sealed record StrategySpec
{
    public CanarySpec? Canary { get; init; }
}
