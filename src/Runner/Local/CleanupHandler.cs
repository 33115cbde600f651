using System.Text.Json.Nodes;
using Runner.Agent;
using Runner.Front;
using Runner.Processes;

namespace Runner.Local;

/// <summary>
/// <c>cleanup</c>: retires every revision that is neither stable, nor routed, nor this run's, nor among the
/// <c>keepRevisions</c> most recent. Its replicas stop only after it has had no traffic for the drain delay (so
/// requests in flight finish); then its state goes, and its converted checkpoint when no kept revision uses it.
/// </summary>
internal static class CleanupHandler
{
    public static async Task<StepResult> RunAsync(LocalStep step, CancellationToken cancellationToken)
    {
        var keep = Math.Max(0, step.IntParameter("keepRevisions") ?? step.Spec.Cleanup.KeepRevisions);
        var table = RouteTable.Load(step.Layout.RoutesPath) ?? new RouteTable();
        var all = step.Layout.Revisions();
        var kept = all.Take(keep).ToHashSet(StringComparer.Ordinal);
        kept.Add(step.Revision);
        if (table.StableRevision is { } stable)
        {
            kept.Add(stable);
        }

        kept.UnionWith(table.Revisions.Where(r => r.Weight > 0).Select(r => r.Revision));
        var retired = all.Where(r => !kept.Contains(r)).ToList();
        if (retired.Count > 0 && retired.Any(r => Replicas.Recorded(step.Layout, r).Any(p => p.IsAlive)))
        {
            step.Log.Write($"draining {string.Join(", ", retired)} for {step.Options.DrainDelay.TotalSeconds:0.#} s before stopping them");
            await Task.Delay(step.Options.DrainDelay, step.Time, cancellationToken);
        }

        var removedArtifacts = new JsonArray();
        var keptCheckpoints = kept.Select(r => RevisionInfo.Load(step.Layout.RevisionInfoPath(r))?.CheckpointDir)
            .OfType<string>().ToHashSet(StringComparer.Ordinal);
        foreach (var revision in retired)
        {
            foreach (var replica in Replicas.Recorded(step.Layout, revision))
            {
                await DetachedProcesses.StopAsync(replica, step.Options.ReplicaStopGrace, cancellationToken);
                step.Log.Write($"{revision}: stopped replica pid {replica.Pid} (port {replica.Port})");
            }

            var info = RevisionInfo.Load(step.Layout.RevisionInfoPath(revision));
            Directory.Delete(step.Layout.RevisionDir(revision), recursive: true);
            step.Log.Write($"{revision}: removed its state");
            if (info is not null && !keptCheckpoints.Contains(info.CheckpointDir) && Directory.Exists(info.CheckpointDir))
            {
                Directory.Delete(info.CheckpointDir, recursive: true);
                DeleteIfEmpty(Path.GetDirectoryName(info.CheckpointDir));
                removedArtifacts.Add(info.CheckpointDir);
                keptCheckpoints.Add(info.CheckpointDir); // removed once, even if several retired revisions used it
                step.Log.Write($"{revision}: removed its converted checkpoint {info.CheckpointDir}");
            }
        }

        return StepResult.Succeeded(new JsonObject
        {
            ["removedRevisions"] = new JsonArray(retired.Select(r => (JsonNode?)JsonValue.Create(r)).ToArray()),
            ["removedArtifacts"] = removedArtifacts,
            ["keptRevisions"] = new JsonArray(all.Where(kept.Contains).Select(r => (JsonNode?)JsonValue.Create(r)).ToArray()),
        });
    }

    private static void DeleteIfEmpty(string? dir)
    {
        if (dir is not null && Directory.Exists(dir) && !Directory.EnumerateFileSystemEntries(dir).Any())
        {
            Directory.Delete(dir);
        }
    }
}
