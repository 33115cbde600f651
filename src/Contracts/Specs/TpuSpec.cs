namespace Contracts.Specs;

/// <summary>The TPU v5e slice of a <c>gke</c> target. <see cref="Zones"/> (Standard only) are tried in order when a
/// zone is stocked out; empty means the target's <c>location</c> alone.</summary>
public sealed record TpuSpec
{
    public const string OnDemand = "on-demand";
    public const string FlexStart = "flex-start";

    public string MachineType { get; init; } = "ct5lp-hightpu-8t";
    public string Topology { get; init; } = "2x4";
    public int Nodes { get; init; } = 2;

    /// <summary>Zones of the target's region to place the node pool in, in order of preference.</summary>
    public IReadOnlyList<string> Zones { get; init; } = [];

    /// <summary>Spot VMs: cheaper, preemptible at any time.</summary>
    public bool Spot { get; init; }

    /// <summary><c>on-demand</c> (default) or <c>flex-start</c> (Dynamic Workload Scheduler: nodes come when capacity
    /// frees up, for at most seven days).</summary>
    public string Provisioning { get; init; } = OnDemand;
}
