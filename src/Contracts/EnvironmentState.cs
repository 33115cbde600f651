namespace Contracts;

/// <summary>
/// What an environment serves, as its runners last recorded it: the one record that traffic steps write (through their
/// completion's <c>outputs.environment</c>, whole, never merged) and that the planner, the API and the health tracker read.
/// A step derives the new state from the one its claim carried (<c>with { … }</c>), so the fields it does not change
/// carry over.
/// </summary>
public sealed record EnvironmentState
{
    /// <summary>The revision that takes traffic when no canary does; null before the first rollout succeeds.</summary>
    public string? StableRevision { get; init; }
    public string? CanaryRevision { get; init; }
    /// <summary>Percent of traffic to <see cref="CanaryRevision"/>.</summary>
    public int CanaryWeight { get; init; }
    public string? FrontUrl { get; init; }
    /// <summary>The canary being rolled back, while its rollback runs.</summary>
    public string? RollingBackRevision { get; init; }
    public RollbackRecord? LastRollback { get; init; }

    /// <summary>The member name in a completion's outputs that carries the new state.</summary>
    public const string OutputMember = "environment";
}
