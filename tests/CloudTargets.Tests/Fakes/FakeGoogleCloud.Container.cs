using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace CloudTargets.Tests.Fakes;

/// <summary>The GKE part: clusters, node pools and their long-running operations.</summary>
internal sealed partial class FakeGoogleCloud
{
    private readonly Dictionary<string, JsonObject> _clusters = new(StringComparer.Ordinal);
    private readonly Dictionary<string, JsonObject> _nodePools = new(StringComparer.Ordinal);
    private readonly Dictionary<string, FakeOperation> _operations = new(StringComparer.Ordinal);
    private int _operationCounter;

    public JsonObject? Cluster(string path)
    {
        lock (_gate)
        {
            return _clusters.GetValueOrDefault(path)?.DeepClone().AsObject();
        }
    }

    public JsonObject? NodePool(string path)
    {
        lock (_gate)
        {
            return _nodePools.GetValueOrDefault(path)?.DeepClone().AsObject();
        }
    }

    /// <summary>A cluster made outside this product (already RUNNING).</summary>
    public void SeedCluster(string locationPath, JsonObject cluster)
    {
        lock (_gate)
        {
            var stored = NewCluster(locationPath, cluster);
            stored["status"] = "RUNNING";
        }
    }

    /// <summary>A node pool in the state given (one a failed create left behind, say).</summary>
    public void SeedNodePool(string path, JsonObject pool)
    {
        lock (_gate)
        {
            _nodePools[path] = pool.DeepClone().AsObject();
        }
    }

    private Reply Container(string method, string path, JsonNode? body)
    {
        if (ClustersPath().Match(path) is { Success: true } list && method == "POST")
        {
            return CreateCluster($"projects/{list.Groups[1]}/locations/{list.Groups[2]}", body);
        }

        if (OperationPath().Match(path) is { Success: true } op && method == "GET")
        {
            return _operations.TryGetValue(op.Groups[3].Value, out var operation) ? Reply.Ok(Advance(operation)) : Reply.NotFound("Operation");
        }

        if (NodePoolsPath().Match(path) is { Success: true } pools && method == "POST")
        {
            return CreateNodePool(path[4..], body);
        }

        var resource = path[4..];
        if (NodePoolPath().IsMatch(path) && method == "GET")
        {
            return _nodePools.TryGetValue(resource, out var pool) ? Reply.Ok(pool.DeepClone()) : Reply.NotFound($"Node pool \"{resource}\"");
        }

        if (NodePoolPath().IsMatch(path) && method == "DELETE")
        {
            if (!_nodePools.TryGetValue(resource, out var pool))
            {
                return Reply.NotFound($"Node pool \"{resource}\"");
            }

            pool["status"] = "STOPPING";
            return Reply.Ok(StartOperation("DELETE_NODE_POOL", resource, _ => _nodePools.Remove(resource)));
        }

        if (ClusterPath().IsMatch(path))
        {
            if (!_clusters.TryGetValue(resource, out var cluster))
            {
                return Reply.NotFound($"Cluster \"{resource}\"");
            }

            if (method == "GET")
            {
                return Reply.Ok(cluster.DeepClone());
            }

            if (method == "DELETE")
            {
                cluster["status"] = "STOPPING";
                return Reply.Ok(StartOperation("DELETE_CLUSTER", resource, _ =>
                {
                    _clusters.Remove(resource);
                    foreach (var key in _nodePools.Keys.Where(k => k.StartsWith(resource + "/", StringComparison.Ordinal)).ToList())
                    {
                        _nodePools.Remove(key);
                    }
                }));
            }
        }

        return Reply.GoogleError(404, "NOT_FOUND", $"Method not found: {method} {path}");
    }

    private Reply CreateCluster(string locationPath, JsonNode? body)
    {
        if (CheckBody("google.container.v1.CreateClusterRequest", body) is { } bad)
        {
            return bad;
        }

        var name = (string?)body?["cluster"]?["name"];
        if (string.IsNullOrEmpty(name))
        {
            return Reply.GoogleError(400, "INVALID_ARGUMENT", "Cluster.name must be set.", "cluster.name");
        }

        var path = $"{locationPath}/clusters/{name}";
        if (_clusters.ContainsKey(path))
        {
            return Reply.GoogleError(409, "ALREADY_EXISTS", $"Already exists: {path}.");
        }

        if (AutopilotRefusal(body!["cluster"]!.AsObject()) is { } refused)
        {
            return refused;
        }

        var cluster = NewCluster(locationPath, body!["cluster"]!.AsObject());
        var failure = FailNextClusterOperation;
        FailNextClusterOperation = null;
        return Reply.Ok(StartOperation("CREATE_CLUSTER", path, operation =>
        {
            if (failure is null)
            {
                cluster["status"] = "RUNNING";
                return;
            }

            cluster["status"] = "ERROR";
            cluster["statusMessage"] = failure;
            operation.Error = new JsonObject { ["code"] = 13, ["message"] = failure };
        }));
    }

    private JsonObject NewCluster(string locationPath, JsonObject requested)
    {
        var cluster = requested.DeepClone().AsObject();
        var path = $"{locationPath}/clusters/{cluster["name"]}";
        cluster["status"] = "PROVISIONING";
        cluster["selfLink"] = $"https://container.googleapis.com/v1/{path}";
        cluster["location"] = locationPath.Split('/')[^1];
        cluster["currentMasterVersion"] = (string?)cluster["initialClusterVersion"] ?? "1.35.1-gke.1000000";
        cluster["endpoint"] = KubernetesApi?.Endpoint ?? "127.0.0.1:1";
        cluster["masterAuth"] = new JsonObject { ["clusterCaCertificate"] = KubernetesApi?.CaBase64 ?? "" };
        foreach (var pool in cluster["nodePools"] as JsonArray ?? [])
        {
            var stored = pool!.DeepClone().AsObject();
            stored["status"] = "RUNNING";
            _nodePools[$"{path}/nodePools/{pool["name"]}"] = stored;
        }

        _clusters[path] = cluster;
        return cluster;
    }

    private Reply CreateNodePool(string parent, JsonNode? body)
    {
        if (CheckBody("google.container.v1.CreateNodePoolRequest", body) is { } bad)
        {
            return bad;
        }

        if (!_clusters.TryGetValue(parent[..^"/nodePools".Length], out var cluster))
        {
            return Reply.NotFound("Cluster");
        }

        if ((bool?)cluster["autopilot"]?["enabled"] == true)
        {
            return Reply.GoogleError(400, "FAILED_PRECONDITION", "Autopilot clusters do not support node pool operations: GKE manages their nodes.");
        }

        var poolBody = body!["nodePool"]!.AsObject();
        if (FlexStartRefusal(poolBody) is { } refused)
        {
            return refused;
        }

        var path = $"{parent}/{poolBody["name"]}";
        if (_nodePools.ContainsKey(path))
        {
            return Reply.GoogleError(409, "ALREADY_EXISTS", $"Already exists: {path}.");
        }

        var pool = poolBody.DeepClone().AsObject();
        pool["status"] = "PROVISIONING";
        _nodePools[path] = pool;
        var stockOut = TpuStockOut;
        var zoneStockedOut = StockedOutZones.Contains((string?)poolBody["locations"]?[0] ?? "");
        return Reply.Ok(StartOperation("CREATE_NODE_POOL", path, operation =>
        {
            if (zoneStockedOut)
            {
                var zoneMessage = ZoneStockOut(cluster, pool);
                pool["status"] = "ERROR";
                pool["statusMessage"] = zoneMessage;
                operation.Error = new JsonObject { ["code"] = 13, ["message"] = zoneMessage };
                return;
            }

            if (!stockOut)
            {
                pool["status"] = "RUNNING";
                return;
            }

            var zone = (string?)pool["locations"]?[0];
            var message = $"ZONE_RESOURCE_POOL_EXHAUSTED: The zone 'projects/{cluster["name"]}/zones/{zone}' does not have enough resources " +
                $"available to fulfill the request. Try a different zone, or try again later. (resource type: {pool["config"]?["machineType"]})";
            pool["status"] = "ERROR";
            pool["statusMessage"] = message;
            operation.Error = new JsonObject { ["code"] = 8, ["message"] = message };
        }));
    }

    /// <summary>The status of the latest operation of a type (null: none started).</summary>
    public string? OperationStatuses(string type)
    {
        lock (_gate)
        {
            return _operations.Values.Where(o => o.Type == type).OrderBy(o => o.StartedAt).LastOrDefault()?.Status;
        }
    }

    // What GKE reports when the pool's managed instance group cannot create its VMs for want of capacity.
    private static string ZoneStockOut(JsonObject cluster, JsonObject pool)
    {
        var zone = (string?)pool["locations"]?[0];
        return $"Google Compute Engine: Not all instances running in IGM after 4m0s. Expected {pool["initialNodeCount"]}, running 0, " +
            $"transitioning {pool["initialNodeCount"]}. Current errors: [GCE_STOCKOUT]: Instance 'gke-{cluster["name"]}-tpu-pool-1a2b3c4d-0' " +
            $"creation failed: The zone 'projects/demo-project/zones/{zone}' does not have enough resources available to fulfill the request. " +
            "Try a different zone, or try again later.";
    }

    /// <summary>GKE manages an Autopilot cluster's nodes: a create carrying node pool or node settings is refused.</summary>
    private static Reply? AutopilotRefusal(JsonObject cluster)
    {
        if ((bool?)cluster["autopilot"]?["enabled"] != true)
        {
            return null;
        }

        foreach (var field in new[] { "nodePools", "nodeConfig", "initialNodeCount", "nodePoolDefaults" })
        {
            if (cluster.ContainsKey(field))
            {
                return Reply.GoogleError(400, "INVALID_ARGUMENT", $"Autopilot clusters do not support the field cluster.{field}: GKE manages their nodes.", $"cluster.{field}");
            }
        }

        return null;
    }

    /// <summary>What GKE requires of a flex-start pool: autoscaled from zero, no reservation, no auto-repair, not Spot.</summary>
    private static Reply? FlexStartRefusal(JsonObject pool)
    {
        var config = pool["config"] as JsonObject;
        if ((bool?)config?["flexStart"] != true)
        {
            return null;
        }

        var problem = (bool?)pool["autoscaling"]?["enabled"] != true ? "nodePool.autoscaling.enabled must be true"
            : ((int?)pool["initialNodeCount"] ?? 0) != 0 ? "nodePool.initialNodeCount must be 0"
            : (string?)config!["reservationAffinity"]?["consumeReservationType"] != "NO_RESERVATION" ? "nodePool.config.reservationAffinity must be NO_RESERVATION"
            : (bool?)pool["management"]?["autoRepair"] != false ? "nodePool.management.autoRepair must be false"
            : (bool?)config["spot"] == true ? "nodePool.config.spot cannot be combined with flexStart"
            : null;
        return problem is null ? null : Reply.GoogleError(400, "INVALID_ARGUMENT", $"Flex-start node pools: {problem}.");
    }

    private JsonObject StartOperation(string type, string target, Action<FakeOperation> onDone)
    {
        var name = $"operation-{++_operationCounter}-{Guid.NewGuid().ToString("N")[..8]}";
        var location = target.Split('/')[3];
        var operation = new FakeOperation(name, type, target, onDone) { PollsLeft = OperationPolls };
        _operations[name] = operation;
        return operation.ToJson(location);
    }

    private JsonObject Advance(FakeOperation operation)
    {
        if (operation.Status != "DONE" && !HoldOperations)
        {
            var timed = OperationDurations.TryGetValue(operation.Type, out var duration);
            if (timed ? DateTime.UtcNow - operation.StartedAt >= duration : operation.PollsLeft <= 0)
            {
                operation.Status = "DONE";
                operation.OnDone(operation);
            }
            else
            {
                operation.PollsLeft--;
                operation.Status = "RUNNING";
            }
        }
        else if (HoldOperations && operation.Status == "PENDING")
        {
            operation.Status = "RUNNING";
        }

        return operation.ToJson(operation.Target.Split('/')[3]);
    }

    [GeneratedRegex("^/v1/projects/([^/]+)/locations/([^/]+)/clusters$")]
    private static partial Regex ClustersPath();

    [GeneratedRegex("^/v1/projects/([^/]+)/locations/([^/]+)/clusters/([^/:]+)$")]
    private static partial Regex ClusterPath();

    [GeneratedRegex("^/v1/projects/([^/]+)/locations/([^/]+)/clusters/([^/]+)/nodePools$")]
    private static partial Regex NodePoolsPath();

    [GeneratedRegex("^/v1/projects/([^/]+)/locations/([^/]+)/clusters/([^/]+)/nodePools/([^/]+)$")]
    private static partial Regex NodePoolPath();

    [GeneratedRegex("^/v1/projects/([^/]+)/locations/([^/]+)/operations/([^/]+)$")]
    private static partial Regex OperationPath();
}
