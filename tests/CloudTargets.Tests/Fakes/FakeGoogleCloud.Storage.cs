using System.Text;
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
    private readonly Dictionary<(string Bucket, string Name), StoredBlob> _objects = [];

    public JsonObject? Bucket(string name)
    {
        lock (_gate)
        {
            return _buckets.GetValueOrDefault(name)?.DeepClone().AsObject();
        }
    }

    /// <summary>Puts an object of this size; <paramref name="content"/> (default: name and size) stands for its bytes
    /// and gives its checksums, so that a replaced object has new ones.</summary>
    public void PutObject(string bucket, string name, long size, string? content = null)
    {
        lock (_gate)
        {
            // A bucket made outside this product (the kubernetes target's) appears with its first object.
            if (!_buckets.ContainsKey(bucket))
            {
                _buckets[bucket] = new JsonObject { ["kind"] = "storage#bucket", ["id"] = bucket, ["name"] = bucket, ["location"] = "US-WEST4" };
            }

            _objects[(bucket, name)] = StoredBlob.Of(size, content ?? $"{name}:{size}");
        }
    }

    public void DeleteObject(string bucket, string name)
    {
        lock (_gate)
        {
            _objects.Remove((bucket, name));
        }
    }

    /// <summary>The object's stored text (what a media upload sent), or null.</summary>
    public string? ObjectText(string bucket, string name)
    {
        lock (_gate)
        {
            return _objects.GetValueOrDefault((bucket, name))?.Content;
        }
    }

    /// <summary>Media upload (<c>POST /upload/storage/v1/b/BUCKET/o?uploadType=media&amp;name=…</c>).</summary>
    private Reply Upload(string method, string path, HttpRequest request, string text)
    {
        var parts = path.Trim('/').Split('/');
        if (method != "POST" || parts is not ["b", _, "o"])
        {
            return Reply.NotFound(path);
        }

        if ((string?)request.Query["uploadType"] != "media" || string.IsNullOrEmpty(request.Query["name"]))
        {
            return Reply.GoogleError(400, "INVALID_ARGUMENT", "Upload requests must include an uploadType and a name.");
        }

        var bucket = parts[1];
        if (!_buckets.ContainsKey(bucket))
        {
            return Reply.GoogleError(404, "NOT_FOUND", "The specified bucket does not exist.");
        }

        var name = (string)request.Query["name"]!;
        var blob = StoredBlob.Of(Encoding.UTF8.GetByteCount(text), text);
        _objects[(bucket, name)] = blob;
        return Reply.Ok(ObjectJson(bucket, name, blob));
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
                var prefix = (string?)request.Query["prefix"] ?? "";
                var items = new JsonArray(_objects
                    .Where(o => o.Key.Bucket == bucket && o.Key.Name.StartsWith(prefix, StringComparison.Ordinal))
                    .OrderBy(o => o.Key.Name, StringComparer.Ordinal)
                    .Select(o => (JsonNode)ObjectJson(bucket, o.Key.Name, o.Value)).ToArray());
                return Reply.Ok(new JsonObject { ["kind"] = "storage#objects", ["items"] = items });
            case (4, _) when parts[2] == "o":
                var name = Uri.UnescapeDataString(parts[3]);
                if (!_objects.TryGetValue((bucket, name), out var blob))
                {
                    return Reply.GoogleError(404, "NOT_FOUND", $"No such object: {bucket}/{name}");
                }

                if (method == "DELETE")
                {
                    _objects.Remove((bucket, name));
                    return new Reply(204, null);
                }

                if ((string?)request.Query["alt"] == "media")
                {
                    return new Reply(200, JsonNode.Parse(blob.Content));
                }

                return Reply.Ok(ObjectJson(bucket, name, blob));
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

    private static JsonObject ObjectJson(string bucket, string name, StoredBlob blob) => new()
    {
        ["kind"] = "storage#object",
        ["name"] = name,
        ["bucket"] = bucket,
        ["size"] = blob.Size.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["crc32c"] = blob.Crc32c,
        ["md5Hash"] = blob.Md5Hash,
    };

    /// <summary>An object's size, checksums (base64, as Cloud Storage reports them; the fake's crc32c is the first four
    /// bytes of the MD5, opaque to the client as the real one is) and the text that stands for its bytes.</summary>
    private sealed record StoredBlob(long Size, string Crc32c, string Md5Hash, string Content)
    {
        public static StoredBlob Of(long size, string content)
        {
            var md5 = System.Security.Cryptography.MD5.HashData(Encoding.UTF8.GetBytes(content));
            return new StoredBlob(size, Convert.ToBase64String(md5[..4]), Convert.ToBase64String(md5), content);
        }
    }
}
