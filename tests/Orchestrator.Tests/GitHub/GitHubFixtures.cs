using System.Text;
using System.Text.Json.Nodes;

namespace Orchestrator.Tests.GitHub;

/// <summary>The real webhook payloads in <c>shared/fixtures/github</c> beside the repository, found by walking up from
/// the test's base directory.</summary>
internal static class GitHubFixtures
{
    public static string Directory { get; } = Find();

    /// <summary>The payload, edited (a repository of the test's own, another release) before it is signed.</summary>
    public static byte[] Payload(string file, Action<JsonObject>? edit = null)
    {
        var text = File.ReadAllText(Path.Combine(Directory, file));
        if (edit is null) return Encoding.UTF8.GetBytes(text);
        var node = JsonNode.Parse(text)!.AsObject();
        edit(node);
        return Encoding.UTF8.GetBytes(node.ToJsonString());
    }

    /// <summary>A release payload for <paramref name="repository"/> (owner/name), with the given id and tag.</summary>
    public static byte[] Release(string file, string repository, long? releaseId = null, string? tag = null, bool? prerelease = null) =>
        Payload(file, p =>
        {
            p["repository"]!["full_name"] = repository;
            p["repository"]!["name"] = repository.Split('/')[1];
            if (releaseId is { } id) p["release"]!["id"] = id;
            if (tag is not null) p["release"]!["tag_name"] = tag;
            if (prerelease is { } pre) p["release"]!["prerelease"] = pre;
        });

    private static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "shared", "fixtures", "github");
            if (System.IO.Directory.Exists(candidate)) return candidate;
        }
        throw new DirectoryNotFoundException($"no shared/fixtures/github above {AppContext.BaseDirectory}: the real GitHub payloads are needed");
    }
}
