using Runner.Processes;

namespace Runner.Local;

/// <summary>The engine replicas recorded for a revision.</summary>
internal static class Replicas
{
    public static IReadOnlyList<ProcessRecord> Recorded(LocalLayout layout, string revision) =>
        layout.ReplicaRecordPaths(revision).Select(DetachedProcesses.Read).OfType<ProcessRecord>().ToList();

    public static string Url(ProcessRecord replica) => $"http://127.0.0.1:{replica.Port}";

    /// <summary>Base URLs of the revision's replicas that are running and answer their healthcheck.</summary>
    public static async Task<IReadOnlyList<string>> LiveEndpointsAsync(
        LocalLayout layout, string revision, EngineProbe probe, CancellationToken cancellationToken)
    {
        var live = new List<string>();
        foreach (var replica in Recorded(layout, revision).Where(r => r.IsAlive))
        {
            if (await probe.IsLiveAsync(Url(replica), cancellationToken))
            {
                live.Add(Url(replica));
            }
        }

        return live;
    }

    /// <summary>Ports that recorded, running replicas of any environment hold.</summary>
    public static HashSet<int> TakenPorts(LocalLayout layout) =>
        layout.AllReplicaRecordPaths().Select(DetachedProcesses.Read).OfType<ProcessRecord>()
            .Where(r => r.IsAlive).Select(r => r.Port).ToHashSet();
}
