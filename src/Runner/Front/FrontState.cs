using System.Collections.Concurrent;

namespace Runner.Front;

/// <summary>
/// The front's view: the loaded routing table and the last healthcheck answer of each endpoint. Picks destinations per
/// request by weight among live revisions. Thread safe: the table is swapped whole.
/// </summary>
internal sealed class FrontState
{
    private readonly ConcurrentDictionary<string, bool> _health = new(StringComparer.Ordinal);
    private volatile RouteTable _table = new();

    public RouteTable Table => _table;

    public void SetTable(RouteTable table)
    {
        _table = table;
        foreach (var stale in _health.Keys.Except(table.Revisions.SelectMany(r => r.Endpoints)))
        {
            _health.TryRemove(stale, out _);
        }
    }

    public void SetHealth(string endpoint, bool live) => _health[endpoint] = live;

    /// <summary>True unless the last healthcheck or connection attempt failed (a new endpoint is presumed live: the
    /// runner routes to a revision only once its healthcheck answers).</summary>
    public bool MayBeLive(string endpoint) => !_health.TryGetValue(endpoint, out var live) || live;

    /// <summary>True when the last healthcheck answered 200.</summary>
    public bool IsKnownLive(string endpoint) => _health.TryGetValue(endpoint, out var live) && live;

    /// <summary>The revision whose replica <paramref name="endpoint"/> is in the loaded table; null when none is.</summary>
    public string? RevisionOf(string endpoint) =>
        _table.Revisions.FirstOrDefault(r => r.Endpoints.Contains(endpoint, StringComparer.Ordinal))?.Revision;

    public bool AnyWeightedRevisionLive =>
        _table.Revisions.Any(r => r.Weight > 0 && r.Endpoints.Any(IsKnownLive));

    /// <summary>
    /// Destinations to try in order: an endpoint of a revision drawn by weight among revisions with a live endpoint,
    /// then the other live endpoints (same revision first), then the ones believed down as a last resort.
    /// </summary>
    public IReadOnlyList<string> Candidates(Random random)
    {
        var weighted = _table.Revisions.Where(r => r.Weight > 0 && r.Endpoints.Count > 0).ToList();
        var live = weighted.Where(r => r.Endpoints.Any(MayBeLive)).ToList();
        var pool = live.Count > 0 ? live : weighted;
        if (pool.Count == 0)
        {
            return [];
        }

        var draw = random.Next(pool.Sum(r => r.Weight));
        var chosen = pool[^1];
        foreach (var revision in pool)
        {
            if (draw < revision.Weight)
            {
                chosen = revision;
                break;
            }

            draw -= revision.Weight;
        }

        var ordered = new List<string>();
        ordered.AddRange(Shuffle(chosen.Endpoints.Where(MayBeLive), random));
        foreach (var other in pool.Where(r => r != chosen).OrderByDescending(r => r.Weight))
        {
            ordered.AddRange(Shuffle(other.Endpoints.Where(MayBeLive), random));
        }

        ordered.AddRange(weighted.SelectMany(r => r.Endpoints).Where(e => !MayBeLive(e)));
        return ordered.Distinct(StringComparer.Ordinal).ToList();
    }

    private static IEnumerable<string> Shuffle(IEnumerable<string> items, Random random) =>
        items.OrderBy(_ => random.Next());
}
