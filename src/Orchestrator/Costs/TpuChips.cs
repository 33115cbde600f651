using CloudTargets.Google;
using Contracts.Specs;

namespace Orchestrator.Costs;

/// <summary>The TPU v5e chips a gke spec holds while it serves. Standard: the node pool, <c>tpu.nodes</c> hosts of
/// the machine type's chips. Autopilot has no pool: each engine replica is a slice of <c>tpu.topology</c>.</summary>
public static class TpuChips
{
    /// <summary>Expects a spec the validator passed (known machine type and topology).</summary>
    public static (int Chips, string Basis) Count(GkeTargetSpec gke, EngineSpec engine)
    {
        ArgumentNullException.ThrowIfNull(gke);
        ArgumentNullException.ThrowIfNull(engine);
        var tpu = gke.Tpu;
        if (gke.Mode == "standard")
        {
            if (!TpuCatalog.ChipsPerHost.TryGetValue(tpu.MachineType, out var perHost))
                throw new InvalidOperationException($"Unknown TPU machine type {tpu.MachineType}: the spec validator should have refused it.");
            return (tpu.Nodes * perHost, $"standard: {tpu.Nodes} node(s) x {perHost} chip(s) of {tpu.MachineType}");
        }
        var perSlice = TpuCatalog.Topologies.Contains(tpu.Topology) ? TpuCatalog.Chips(tpu.Topology) : 0;
        if (perSlice == 0)
            throw new InvalidOperationException($"Unknown TPU topology {tpu.Topology}: the spec validator should have refused it.");
        return (engine.Replicas * perSlice, $"autopilot: {engine.Replicas} replica(s) x {perSlice} chip(s) of a {tpu.Topology} slice");
    }
}
