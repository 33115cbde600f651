using System.Text.Json.Nodes;

namespace CloudTargets.Google;

/// <summary>The GKE (<c>container.googleapis.com/v1</c>) calls. Clusters and node pools are created through node pools
/// only: <c>Cluster.initialNodeCount</c>, <c>nodeConfig</c> and <c>enableTpu</c> are deprecated in v1.</summary>
public sealed class GkeRequests(GoogleEndpoints endpoints, GkeTarget target)
{
    public const string StandardDefaultMachineType = "e2-standard-4";

    public CloudRequest CreateCluster() => new("POST", Url($"{target.LocationPath}/clusters"), new JsonObject { ["cluster"] = ClusterBody() });

    public CloudRequest GetCluster() => new("GET", Url(target.ClusterPath));

    public CloudRequest DeleteCluster() => new("DELETE", Url(target.ClusterPath));

    /// <param name="zone">One of <see cref="GkeTarget.Zones"/>: a TPU slice lives in one zone.</param>
    public CloudRequest CreateNodePool(string zone) =>
        new("POST", Url($"{target.ClusterPath}/nodePools"), new JsonObject { ["nodePool"] = TpuNodePool(zone) });

    public CloudRequest GetNodePool() => new("GET", Url(target.NodePoolPath));

    /// <summary>Removes a pool a stocked-out create left in ERROR, so that the next zone can use the same name.</summary>
    public CloudRequest DeleteNodePool() => new("DELETE", Url(target.NodePoolPath));

    /// <summary>Operations are named by their short id; they live under the location that started them.</summary>
    public CloudRequest GetOperation(string operation) => new("GET", Url($"{target.LocationPath}/operations/{ShortName(operation)}"));

    public JsonObject ClusterBody()
    {
        var cluster = new JsonObject
        {
            ["name"] = target.ClusterName,
            ["releaseChannel"] = new JsonObject { ["channel"] = "RAPID" },
            ["workloadIdentityConfig"] = new JsonObject { ["workloadPool"] = target.WorkloadPool },
            ["addonsConfig"] = new JsonObject { ["gcsFuseCsiDriverConfig"] = new JsonObject { ["enabled"] = true } },
        };
        if (!string.IsNullOrEmpty(target.Spec.ClusterVersion))
        {
            cluster["initialClusterVersion"] = target.Spec.ClusterVersion;
        }

        if (target.Standard)
        {
            // A Standard cluster needs one node pool of its own; the TPU pool comes with nodepool.ensure.
            cluster["nodePools"] = new JsonArray(new JsonObject
            {
                ["name"] = GkeTarget.DefaultPoolName,
                ["initialNodeCount"] = 1,
                ["config"] = NodeConfig(StandardDefaultMachineType),
            });
        }
        else
        {
            cluster["autopilot"] = new JsonObject { ["enabled"] = true };
        }

        return cluster;
    }

    public JsonObject TpuNodePool(string zone)
    {
        var tpu = target.Spec.Tpu;
        var config = NodeConfig(tpu.MachineType);
        var pool = new JsonObject
        {
            ["name"] = GkeTarget.TpuPoolName,
            ["initialNodeCount"] = tpu.Nodes,
            ["locations"] = new JsonArray(zone),
            ["config"] = config,
        };
        if (tpu.Spot)
        {
            config["spot"] = true;
        }

        if (target.FlexStart)
        {
            FlexStart(pool, config, tpu.Nodes);
        }

        if (TpuCatalog.MultiHost(tpu.MachineType, tpu.Topology))
        {
            pool["placementPolicy"] = new JsonObject { ["type"] = "COMPACT", ["tpuTopology"] = tpu.Topology };
        }

        return pool;
    }

    // Flex-start as GKE documents it for TPU slice pools (gcloud --flex-start --enable-autoscaling --num-nodes=0
    // --total-max-nodes=N --location-policy=ANY --reservation-affinity=none --no-enable-autorepair): the pool starts
    // empty and the cluster autoscaler obtains the nodes when the engine's pods are pending and capacity frees up.
    // Flex-start VMs cannot be repaired in place, nor come from a reservation.
    private static void FlexStart(JsonObject pool, JsonObject config, int nodes)
    {
        pool["initialNodeCount"] = 0;
        pool["autoscaling"] = new JsonObject
        {
            ["enabled"] = true,
            ["totalMinNodeCount"] = 0,
            ["totalMaxNodeCount"] = nodes,
            ["locationPolicy"] = "ANY",
        };
        pool["management"] = new JsonObject { ["autoRepair"] = false };
        config["flexStart"] = true;
        config["reservationAffinity"] = new JsonObject { ["consumeReservationType"] = "NO_RESERVATION" };
    }

    public static string ShortName(string operation) =>
        operation.Contains('/', StringComparison.Ordinal) ? operation[(operation.LastIndexOf('/') + 1)..] : operation;

    // Workload Identity on the nodes: pods see the GKE metadata server, not the node's own identity.
    private static JsonObject NodeConfig(string machineType) => new()
    {
        ["machineType"] = machineType,
        ["workloadMetadataConfig"] = new JsonObject { ["mode"] = "GKE_METADATA" },
    };

    private string Url(string path) => new Uri(endpoints.Container, $"v1/{path}").ToString();
}
