using System.Text.Json.Nodes;

namespace CloudTargets.Google;

/// <summary>Decides whether an existing cluster or node pool (found on 409 ALREADY_EXISTS or on a repeated run) can be
/// adopted: each setting the rollout depends on is compared, and every difference is named.</summary>
public static class Compatibility
{
    public static IReadOnlyList<string> ClusterDifferences(GkeTarget target, JsonObject cluster)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(cluster);
        var differences = new List<string>();
        var autopilot = (bool?)cluster["autopilot"]?["enabled"] ?? false;
        if (autopilot == target.Standard)
        {
            differences.Add($"mode: wanted {(target.Standard ? "standard" : "autopilot")}, found {(autopilot ? "autopilot" : "standard")}");
        }

        var pool = (string?)cluster["workloadIdentityConfig"]?["workloadPool"];
        if (pool != target.WorkloadPool)
        {
            differences.Add($"workloadIdentityConfig.workloadPool: wanted {target.WorkloadPool}, found {pool ?? "(none)"}");
        }

        var fuse = (bool?)cluster["addonsConfig"]?["gcsFuseCsiDriverConfig"]?["enabled"] ?? false;
        if (!fuse)
        {
            differences.Add("addonsConfig.gcsFuseCsiDriverConfig.enabled: wanted true, found false");
        }

        var version = target.Spec.ClusterVersion;
        var current = (string?)cluster["currentMasterVersion"] ?? (string?)cluster["initialClusterVersion"] ?? "";
        if (!string.IsNullOrEmpty(version) && !current.StartsWith(version, StringComparison.Ordinal))
        {
            differences.Add($"clusterVersion: wanted {version}, found {current}");
        }

        return differences;
    }

    public static IReadOnlyList<string> NodePoolDifferences(GkeTarget target, JsonObject pool)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(pool);
        var differences = new List<string>();
        var machineType = (string?)pool["config"]?["machineType"];
        if (machineType != target.Spec.Tpu.MachineType)
        {
            differences.Add($"tpu.machineType: wanted {target.Spec.Tpu.MachineType}, found {machineType}");
        }

        // A pool in any of the wanted zones is adopted: an earlier run may have moved on after a stock-out.
        var locations = (pool["locations"] as JsonArray)?.Select(l => (string?)l).ToList() ?? [];
        if (!locations.Any(l => l is not null && target.Zones.Contains(l)))
        {
            differences.Add($"location: wanted {string.Join(" or ", target.Zones)}, found {string.Join(",", locations)}");
        }

        var spot = (bool?)pool["config"]?["spot"] ?? false;
        if (spot != target.Spec.Tpu.Spot)
        {
            differences.Add($"tpu.spot: wanted {(target.Spec.Tpu.Spot ? "true" : "false")}, found {(spot ? "true" : "false")}");
        }

        var flexStart = (bool?)pool["config"]?["flexStart"] ?? false;
        if (flexStart != target.FlexStart)
        {
            differences.Add($"tpu.provisioning: wanted {target.Spec.Tpu.Provisioning}, found {(flexStart ? Contracts.Specs.TpuSpec.FlexStart : Contracts.Specs.TpuSpec.OnDemand)}");
        }

        var mode = (string?)pool["config"]?["workloadMetadataConfig"]?["mode"];
        if (mode != "GKE_METADATA")
        {
            differences.Add($"workloadMetadataConfig.mode: wanted GKE_METADATA, found {mode ?? "(none)"}");
        }

        return differences;
    }
}
