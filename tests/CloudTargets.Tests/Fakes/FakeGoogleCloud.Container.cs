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

        var poolBody = body!["nodePool"]!.AsObject();
        var path = $"{parent}/{poolBody["name"]}";
        if (_nodePools.ContainsKey(path))
        {
            return Reply.GoogleError(409, "ALREADY_EXISTS", $"Already exists: {path}.");
        }

        var pool = poolBody.DeepClone().AsObject();
        pool["status"] = "PROVISIONING";
        _nodePools[path] = pool;
        var stockOut = TpuStockOut;
        return Reply.Ok(StartOperation("CREATE_NODE_POOL", path, operation =>
        {
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
