using System.Text.Json;
using System.Text.Json.Nodes;
using Runner.Processes;

namespace Runner.HuggingFace;

/// <summary>
/// Downloaded snapshots of one repository, by commit:
/// <code>
/// CACHE/ORG--NAME/COMMIT/                 the files, as in the repository (FILE.partial while one is downloading)
/// CACHE/ORG--NAME/COMMIT.complete.json    written last: every file's size and sha256
/// </code>
/// A file without <c>.partial</c> has passed its checksum; a snapshot is reused only with its marker, and only while
/// every file the marker lists is there with its size. Not safe for two processes at once: each runner has its own
/// cache under its work dir, and one runner runs one step at a time.
/// </summary>
internal sealed class HubCache(string cacheDir, string repository)
{
    public string RepositoryDir { get; } = Path.Combine(cacheDir, repository.Replace("/", "--", StringComparison.Ordinal));

    public string SnapshotDir(string commit) => Path.Combine(RepositoryDir, commit);

    public string MarkerPath(string commit) => Path.Combine(RepositoryDir, $"{commit}.complete.json");

    /// <summary>The snapshot of <paramref name="commit"/> when its marker is there and every file it lists has its size;
    /// with <paramref name="expected"/> (the Hub's listing), only when the marker's checksums match it too.</summary>
    public HubSnapshot? TryReuse(string commit, IReadOnlyList<HubFile>? expected = null)
    {
        var marker = MarkerPath(commit);
        if (!File.Exists(marker))
        {
            return null;
        }

        var files = JsonNode.Parse(File.ReadAllText(marker))?["files"] as JsonObject ?? [];
        var sizes = new Dictionary<string, long>(StringComparer.Ordinal);
        var sha256 = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (path, entry) in files)
        {
            sizes[path] = (long?)entry?["size"] ?? -1;
            sha256[path] = (string?)entry?["sha256"] ?? "";
        }

        var dir = SnapshotDir(commit);
        var whole = sizes.Count > 0 && sizes.All(f => new FileInfo(Path.Combine(dir, f.Key)) is { Exists: true } info && info.Length == f.Value);
        var current = expected is null || expected.All(f =>
            sizes.TryGetValue(f.Path, out var size) && size == f.Size && (f.Sha256 is null || f.Sha256 == sha256[f.Path]));
        return whole && current ? new HubSnapshot(dir, repository, commit, sha256, BytesDownloaded: 0) : null;
    }

    public void WriteMarker(string commit, IReadOnlyList<HubFile> files, IReadOnlyDictionary<string, string> sha256)
    {
        var entries = new JsonObject();
        foreach (var file in files.OrderBy(f => f.Path, StringComparer.Ordinal))
        {
            entries[file.Path] = new JsonObject { ["size"] = file.Size, ["sha256"] = sha256[file.Path] };
        }

        var marker = new JsonObject { ["repository"] = repository, ["commit"] = commit, ["files"] = entries };
        AtomicFile.WriteAllText(MarkerPath(commit), marker.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
    }

    /// <summary>Forgets a snapshot's marker before it is completed again, so a half-repaired one is never reused.</summary>
    public void RemoveMarker(string commit) => File.Delete(MarkerPath(commit));
}
