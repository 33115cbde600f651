using System.Text.Json.Nodes;

namespace CloudTargets.Google;

/// <summary>One object of the converted checkpoint as Cloud Storage reports it.</summary>
public sealed record StoredObject(string Name, long Size, string? Crc32c, string? Md5Hash);

/// <summary>
/// The marker <c>checkpoint.convert</c> writes beside the converted files after a successful conversion
/// (<c>…/final/bf16/orchestrator-manifest.json</c>): the source model and each object's size, <c>crc32c</c> and
/// <c>md5Hash</c> as Cloud Storage reported them. A later conversion is skipped only when the marker names the same
/// source, lists the checkpoint and the tokenizer, and every listed object is still there with the same <c>crc32c</c>
/// and size: a changed or missing object means convert again.
/// </summary>
public static class CheckpointMarker
{
    public const string ObjectName = "orchestrator-manifest.json";

    /// <summary>What the plan preview shows for the marker's objects (known only after the conversion).</summary>
    public const string ObjectsPlaceholder = "<each converted object's name, size, crc32c and md5Hash as Cloud Storage reports them>";

    public static JsonObject Build(string source, IEnumerable<StoredObject> objects) => new()
    {
        ["source"] = source,
        ["objects"] = new JsonArray(objects
            .OrderBy(o => o.Name, StringComparer.Ordinal)
            .Select(o => (JsonNode)new JsonObject
            {
                ["name"] = o.Name,
                ["size"] = o.Size,
                ["crc32c"] = o.Crc32c,
                ["md5Hash"] = o.Md5Hash,
            }).ToArray()),
    };

    /// <summary>Null when the marker vouches for the current objects; otherwise why the checkpoint must be converted
    /// again.</summary>
    public static string? Mismatch(JsonObject? marker, string source, IReadOnlyCollection<string> required, IReadOnlyList<StoredObject> current)
    {
        if (marker is null)
        {
            return "no conversion marker";
        }

        if ((string?)marker["source"] != source)
        {
            return $"the marker is for {(string?)marker["source"]}, not {source}";
        }

        var recorded = (marker["objects"] as JsonArray ?? []).OfType<JsonObject>().ToList();
        var names = recorded.Select(o => (string?)o["name"]).ToHashSet(StringComparer.Ordinal);
        if (required.FirstOrDefault(r => !names.Contains(r)) is { } unlisted)
        {
            return $"the marker does not list {unlisted}";
        }

        var byName = current.ToDictionary(o => o.Name, StringComparer.Ordinal);
        foreach (var entry in recorded)
        {
            var name = (string?)entry["name"] ?? "";
            if (!byName.TryGetValue(name, out var now))
            {
                return $"{name} is missing";
            }

            var crc32c = (string?)entry["crc32c"];
            if (string.IsNullOrEmpty(crc32c) || crc32c != now.Crc32c || (long?)entry["size"] != now.Size)
            {
                return $"{name} changed since the conversion (crc32c {crc32c} → {now.Crc32c})";
            }
        }

        return null;
    }

    /// <summary>The size of everything the marker lists (what the engine loads); null without a marker or sizes.</summary>
    public static long? TotalBytes(JsonObject? marker)
    {
        var sizes = (marker?["objects"] as JsonArray ?? []).OfType<JsonObject>().Select(o => (long?)o["size"]).ToList();
        return sizes.Count == 0 || sizes.Any(s => s is null) ? null : sizes.Sum(s => s!.Value);
    }

    /// <summary>Uploads the marker (a JSON media upload).</summary>
    public static CloudRequest Write(GoogleEndpoints endpoints, string bucket, string objectName, JsonObject marker) =>
        new("POST", new Uri(endpoints.Storage, $"../../upload/storage/v1/b/{bucket}/o?uploadType=media&name={Uri.EscapeDataString(objectName)}").ToString(), marker);

    /// <summary>Starts the resumable upload of a converted file (the runner's conversion): the body is the object's
    /// metadata; the bytes follow in chunks to the session URI Cloud Storage answers with.</summary>
    public static CloudRequest ResumableUpload(GoogleEndpoints endpoints, string bucket, string objectName) =>
        new("POST", new Uri(endpoints.Storage, $"../../upload/storage/v1/b/{bucket}/o?uploadType=resumable").ToString(),
            new JsonObject { ["name"] = objectName, ["contentType"] = "application/octet-stream" });

    /// <summary>Reads the marker's content.</summary>
    public static CloudRequest Read(GoogleEndpoints endpoints, string bucket, string objectName) =>
        new("GET", new Uri(endpoints.Storage, $"b/{bucket}/o/{Uri.EscapeDataString(objectName)}?alt=media").ToString());
}
