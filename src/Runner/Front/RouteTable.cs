using System.Text.Json;
using Contracts;
using Runner.Processes;

namespace Runner.Front;

/// <summary>
/// <c>STATE_DIR/ENV/routes.json</c>: the front's routing table. Written only by the runner's traffic steps (temp file +
/// rename, so the front never reads half of one), read by the front; <see cref="Version"/> grows with every write so
/// the runner can wait until the front has loaded what it wrote.
/// </summary>
internal sealed record RouteTable
{
    public long Version { get; init; }
    public string? StableRevision { get; init; }
    public string? CanaryRevision { get; init; }
    public int CanaryWeight { get; init; }
    public IReadOnlyList<RevisionRoute> Revisions { get; init; } = [];

    public static RouteTable? Load(string path)
    {
        try
        {
            return JsonSerializer.Deserialize<RouteTable>(File.ReadAllText(path), ContractJson.Options);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
    }

    public void Save(string path) => AtomicFile.WriteAllText(path, JsonSerializer.Serialize(this, ContractJson.Options));

    /// <summary>True when <paramref name="revision"/> has a share of traffic in this table.</summary>
    public bool Routes(string revision) => Revisions.Any(r => r.Revision == revision && r.Weight > 0);
}
