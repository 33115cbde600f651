using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace CloudTargets.Tests.Fakes;

/// <summary>The Cloud Storage JSON API part: buckets (a non-empty bucket cannot be deleted) and object metadata.</summary>
internal sealed partial class FakeGoogleCloud
{
    private static readonly HashSet<string> BucketFields = new(StringComparer.Ordinal)
    {
        "name", "location", "iamConfiguration", "storageClass", "labels", "hierarchicalNamespace", "softDeletePolicy", "versioning",
    };

    private readonly Dictionary<string, JsonObject> _buckets = new(StringComparer.Ordinal);
    private readonly Dictionary<(string Bucket, string Name), long> _objects = [];

    public JsonObject? Bucket(string name)
    {
        lock (_gate)
        {
            return _buckets.GetValueOrDefault(name)?.DeepClone().AsObject();
        }
    }

    public void PutObject(string bucket, string name, long size)
    {
        lock (_gate)
        {
            // A bucket made outside this product (the kubernetes target's) appears with its first object.
            if (!_buckets.ContainsKey(bucket))
            {
                _buckets[bucket] = new JsonObject { ["kind"] = "storage#bucket", ["id"] = bucket, ["name"] = bucket, ["location"] = "US-WEST4" };
            }

            _objects[(bucket, name)] = size;
        }
    }

    private Reply Storage(string method, string path, HttpRequest request, JsonNode? body)
    {
        var parts = path.Trim('/').Split('/');
        if (parts is ["b"] && method == "POST")
        {
            return CreateBucket((string?)request.Query["project"], body);
        }

        if (parts.Length < 2 || parts[0] != "b")
        {
            return Reply.NotFound(path);
        }

        var bucket = parts[1];
        if (!_buckets.TryGetValue(bucket, out var stored))
        {
            return Reply.GoogleError(404, "NOT_FOUND", "The specified bucket does not exist.");
        }

        switch (parts.Length, method)
        {
            case (2, "GET"):
                return Reply.Ok(stored.DeepClone());
            case (2, "DELETE"):
                if (_objects.Keys.Any(k => k.Bucket == bucket))
                {
                    return Reply.GoogleError(409, "FAILED_PRECONDITION", "The bucket you tried to delete is not empty.");
                }

                _buckets.Remove(bucket);
                return new Reply(204, null);
            case (3, "GET") when parts[2] == "o":
                var items = new JsonArray(_objects.Where(o => o.Key.Bucket == bucket).Select(o => (JsonNode)ObjectJson(bucket, o.Key.Name, o.Value)).ToArray());
                return Reply.Ok(new JsonObject { ["kind"] = "storage#objects", ["items"] = items });
            case (4, _) when parts[2] == "o":
                var name = Uri.UnescapeDataString(parts[3]);
                if (!_objects.TryGetValue((bucket, name), out var size))
                {
                    return Reply.GoogleError(404, "NOT_FOUND", $"No such object: {bucket}/{name}");
                }

                if (method == "DELETE")
                {
                    _objects.Remove((bucket, name));
                    return new Reply(204, null);
                }

                return Reply.Ok(ObjectJson(bucket, name, size));
        }

        return Reply.NotFound(path);
    }

    private Reply CreateBucket(string? project, JsonNode? body)
    {
        if (body is not JsonObject bucket || string.IsNullOrEmpty(project))
        {
            return Reply.GoogleError(400, "INVALID_ARGUMENT", "Required parameter: project");
        }

        if (bucket.Select(p => p.Key).FirstOrDefault(k => !BucketFields.Contains(k)) is { } unknown)
        {
            return Reply.GoogleError(400, "INVALID_ARGUMENT", $"Invalid JSON payload received. Unknown name \"{unknown}\": Cannot find field.", unknown);
        }

        var name = (string?)bucket["name"] ?? "";
        if (_buckets.ContainsKey(name))
        {
            return Reply.GoogleError(409, "CONFLICT", "Your previous request to create the named bucket succeeded and you already own it.");
        }

        var stored = bucket.DeepClone().AsObject();
        stored["kind"] = "storage#bucket";
        stored["id"] = name;
        stored["projectNumber"] = "123456789012";
        stored["timeCreated"] = "2026-11-30T08:00:00.000Z";
        _buckets[name] = stored;
        return Reply.Ok(stored.DeepClone());
    }

    private static JsonObject ObjectJson(string bucket, string name, long size) => new()
    {
        ["kind"] = "storage#object",
        ["name"] = name,
        ["bucket"] = bucket,
        ["size"] = size.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };
}
