using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Runner.Local;

/// <summary>SHA-256 of files and directories, and the check of a converted checkpoint against its <c>manifest.json</c>.</summary>
internal static partial class Checksums
{
    public static async Task<string> FileSha256Async(string path, CancellationToken cancellationToken)
    {
        await using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(await SHA256.HashDataAsync(stream, cancellationToken));
    }

    /// <summary>One hash for a whole source directory: every file's relative path and content hash, in path order.</summary>
    public static async Task<string> DirectorySha256Async(string dir, CancellationToken cancellationToken)
    {
        var files = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var file in Directory.EnumerateFiles(dir, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(dir, f).Replace('\\', '/')))
        {
            files[file] = await FileSha256Async(Path.Combine(dir, file), cancellationToken);
        }

        return ListingSha256(files);
    }

    /// <summary>The hash <see cref="DirectorySha256Async"/> gives a directory holding exactly these files (relative path →
    /// sha256), for a directory whose checksums are known already (a verified download).</summary>
    public static string ListingSha256(IReadOnlyDictionary<string, string> files)
    {
        var listing = new StringBuilder();
        foreach (var (file, sha256) in files.OrderBy(f => f.Key, StringComparer.Ordinal))
        {
            listing.Append(file).Append('\t').Append(sha256).Append('\n');
        }

        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(listing.ToString())));
    }

    /// <summary>
    /// The (file, sha256) pairs a manifest lists. Accepts the shapes a manifest may take: a map of names to hashes, or
    /// entries with a name (<c>path</c>, <c>name</c> or <c>file</c>) beside a <c>sha256</c>, at any depth.
    /// </summary>
    public static IReadOnlyDictionary<string, string> ManifestEntries(JsonNode? manifest)
    {
        var entries = new Dictionary<string, string>(StringComparer.Ordinal);
        Collect(manifest, null, entries);
        return entries;
    }

    /// <summary>Null when every file the manifest lists exists with its hash; otherwise what is wrong.</summary>
    public static async Task<string?> VerifyManifestAsync(string dir, CancellationToken cancellationToken)
    {
        var path = Path.Combine(dir, "manifest.json");
        if (!File.Exists(path))
        {
            return "no manifest.json";
        }

        var entries = ManifestEntries(JsonNode.Parse(await File.ReadAllTextAsync(path, cancellationToken)));
        if (entries.Count == 0)
        {
            return "manifest.json lists no checksums";
        }

        foreach (var (file, expected) in entries)
        {
            var full = Path.Combine(dir, file);
            if (!File.Exists(full))
            {
                return $"{file} is missing";
            }

            if (!string.Equals(await FileSha256Async(full, cancellationToken), expected, StringComparison.OrdinalIgnoreCase))
            {
                return $"{file} does not match its checksum";
            }
        }

        return null;
    }

    private static void Collect(JsonNode? node, string? key, Dictionary<string, string> entries)
    {
        switch (node)
        {
            case JsonObject obj:
                var hash = Text(obj["sha256"]);
                var name = Text(obj["path"]) ?? Text(obj["name"]) ?? Text(obj["file"]);
                if (hash is not null && IsSha256(hash) && (name ?? key) is { } owner)
                {
                    entries[owner] = hash;
                }

                foreach (var (member, value) in obj)
                {
                    Collect(value, member, entries);
                }

                break;
            case JsonArray array:
                foreach (var item in array)
                {
                    Collect(item, null, entries);
                }

                break;
            case JsonValue when key is not null && key != "sha256" && Text(node) is { } text && IsSha256(text) && LooksLikeFile(key):
                entries[key] = text;
                break;
        }
    }

    private static bool LooksLikeFile(string key) => key.Contains('.', StringComparison.Ordinal);

    private static string? Text(JsonNode? node) => node is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;

    private static bool IsSha256(string text) => Sha256Pattern().IsMatch(text);

    [GeneratedRegex("^[0-9a-fA-F]{64}$")]
    private static partial Regex Sha256Pattern();
}
