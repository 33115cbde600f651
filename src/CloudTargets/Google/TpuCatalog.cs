namespace CloudTargets.Google;

/// <summary>What the preflight and the node pool request need to know about TPU v5e (the only TPU the procedure uses):
/// machine types with their chips per host, the slice topologies GKE accepts, and the regions that offer v5e.</summary>
public static class TpuCatalog
{
    public const string Accelerator = "tpu-v5-lite-podslice";

    public static IReadOnlyDictionary<string, int> ChipsPerHost { get; } = new Dictionary<string, int>(StringComparer.Ordinal)
    {
        ["ct5lp-hightpu-1t"] = 1,
        ["ct5lp-hightpu-4t"] = 4,
        ["ct5lp-hightpu-8t"] = 8,
    };

    public static IReadOnlySet<string> Topologies { get; } = new HashSet<string>(StringComparer.Ordinal)
    {
        "1x1", "2x2", "2x4", "4x4", "4x8", "8x8", "8x16", "16x16",
    };

    /// <summary>Regions with TPU v5e (Cloud TPU regions and zones page).</summary>
    public static IReadOnlySet<string> Regions { get; } = new HashSet<string>(StringComparer.Ordinal)
    {
        "us-central1", "us-east1", "us-east5", "us-south1", "us-west1", "us-west4", "europe-west4", "asia-southeast1",
    };

    public static int Chips(string topology)
    {
        ArgumentNullException.ThrowIfNull(topology);
        return topology.Split('x').Aggregate(1, (product, part) => int.TryParse(part, out var n) ? product * n : 0);
    }

    /// <summary>A slice larger than one host needs a compact placement policy naming the topology.</summary>
    public static bool MultiHost(string machineType, string topology) =>
        ChipsPerHost.TryGetValue(machineType, out var perHost) && Chips(topology) > perHost;
}
