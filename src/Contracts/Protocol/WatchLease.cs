using System.Text.Json.Nodes;

namespace Contracts.Protocol;

/// <summary>One held watch: what to probe and how often. Every sample about it carries <see cref="WatchToken"/>.</summary>
public sealed record WatchLease
{
    public string Environment { get; init; } = "";
    public Guid WatchToken { get; init; }
    public DateTimeOffset ExpiresAt { get; init; }
    public int IntervalSeconds { get; init; }
    public string TargetKind { get; init; } = "";
    public EnvironmentState State { get; init; } = new();
    /// <summary>The spec of the rollout that made the stable revision (its target section says where the environment
    /// lives, its engine section how many replicas it should have), as in a step claim.</summary>
    public JsonObject Spec { get; init; } = new();
}
