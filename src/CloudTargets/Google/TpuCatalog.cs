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

    /// <summary>Zones with TPU v5e (<c>ct5lp-*</c>) node pools, per region, as GKE's TPU availability table lists them;
    /// the keys are <see cref="Regions"/>. A zone outside this table is refused before anything is created.</summary>
    public static IReadOnlyDictionary<string, IReadOnlyList<string>> Zones { get; } = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal)
    {
        ["us-central1"] = ["us-central1-a"],
        ["us-east1"] = ["us-east1-c"],
        ["us-east5"] = ["us-east5-a", "us-east5-b"],
        ["us-south1"] = ["us-south1-a"],
        ["us-west1"] = ["us-west1-c"],
        ["us-west4"] = ["us-west4-a", "us-west4-b"],
        ["europe-west4"] = ["europe-west4-a", "europe-west4-b"],
        ["asia-southeast1"] = ["asia-southeast1-b"],
    };

    /// <summary>Largest single-host slice: Autopilot places larger topologies on 4-chip hosts (ct5lp-hightpu-4t).</summary>
    private const int AutopilotMultiHostChipsPerHost = 4;

    /// <summary>The <c>google.com/tpu</c> chips one pod asks for: a pod holds one host. Standard: the machine type's
    /// chips. Autopilot picks the machine from the topology: the whole slice when it fits one host (1x1, 2x2, 2x4),
    /// else 4 chips per host.</summary>
    public static int ChipsPerPod(bool standard, string machineType, string topology)
    {
        if (standard)
        {
            return ChipsPerHost.TryGetValue(machineType, out var perHost) ? perHost
                : throw new ArgumentException($"unknown TPU v5e machine type {machineType}", nameof(machineType));
        }

        var chips = Chips(topology);
        if (chips <= 0)
        {
            throw new ArgumentException($"unknown TPU v5e topology {topology}", nameof(topology));
        }

        return chips <= ChipsPerHost.Values.Max() ? chips : AutopilotMultiHostChipsPerHost;
    }

    public static int Chips(string topology)
    {
        ArgumentNullException.ThrowIfNull(topology);
        return topology.Split('x').Aggregate(1, (product, part) => int.TryParse(part, out var n) ? product * n : 0);
    }

    /// <summary>A slice larger than one host needs a compact placement policy naming the topology.</summary>
    public static bool MultiHost(string machineType, string topology) =>
        ChipsPerHost.TryGetValue(machineType, out var perHost) && Chips(topology) > perHost;
}
