using System.Globalization;
using System.Text.RegularExpressions;
using Contracts.Specs;
using Runner.Agent;
using Runner.Analysis;
using Runner.Front;
using Runner.Local;
using Runner.Processes;

namespace Runner.Autoscaling;

/// <summary>
/// Adds and removes engine replicas of a local revision without failing a request: a new replica takes traffic only
/// once its <c>/healthcheck</c> answers (it enters the front's table after that); a replica to remove leaves the table
/// first, is drained for the runner's drain delay once the front serves the table without it, and only then stops.
/// Table changes hold the environment's routing lock (<see cref="EnvironmentLock"/>), as the traffic steps do, and
/// keep every revision's weight: only the scaled revision's endpoints change.
/// </summary>
internal sealed partial class LocalScaler(RunnerOptions options, EngineProbe probe, TimeProvider time)
{
    /// <summary>How long a new replica may take to load its model before it is given up.</summary>
    public static readonly TimeSpan StartWithin = TimeSpan.FromMinutes(10);

    /// <summary>The revision's recorded replicas by index (<c>replica-N.json</c>).</summary>
    public static SortedDictionary<int, ProcessRecord> Recorded(LocalLayout layout, string revision)
    {
        ArgumentNullException.ThrowIfNull(layout);
        var replicas = new SortedDictionary<int, ProcessRecord>();
        foreach (var path in layout.ReplicaRecordPaths(revision))
            if (IndexPattern().Match(Path.GetFileName(path)) is { Success: true } m && DetachedProcesses.Read(path) is { } record)
                replicas[int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture)] = record;
        return replicas;
    }

    /// <summary>Base URLs of the revision's replicas that answer their healthcheck.</summary>
    public async Task<IReadOnlyList<string>> LiveAsync(LocalLayout layout, string revision, CancellationToken cancellationToken) =>
        await Replicas.LiveEndpointsAsync(layout, revision, probe, cancellationToken);

    /// <summary>The gauge's average over the replicas that answered <c>/metrics</c>, with their number; null when none did.</summary>
    public async Task<(double Value, int Replicas)?> ReadAsync(IReadOnlyList<string> endpoints, string gauge, CancellationToken cancellationToken)
    {
        var values = new List<double>();
        foreach (var endpoint in endpoints)
            if (await EngineCalls.MetricsAsync(probe.Http, endpoint, cancellationToken) is { } text && PrometheusText.Sum([text], gauge) is { } value)
                values.Add(value);
        return values.Count == 0 ? null : (values.Average(), values.Count);
    }

    /// <summary>Starts replicas up to <paramref name="to"/> in the free indices, waits until they are live, then routes
    /// them. Returns the count that serves afterwards; replicas that exit or never come up are stopped and forgotten.</summary>
    public async Task<int> ScaleUpAsync(LocalLayout layout, RolloutSpec spec, string revision, int to, Action<string> log, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(log);
        var info = RevisionInfo.Load(layout.RevisionInfoPath(revision))
            ?? throw new InvalidOperationException($"{revision} has no revision.json: it was not deployed here");
        var target = spec.Target.Local ?? new LocalTargetSpec();
        var recorded = Recorded(layout, revision);
        var started = new List<(int Index, ProcessRecord Record)>();
        for (var index = 0; recorded.Count + started.Count < to; index++)
        {
            if (recorded.ContainsKey(index)) continue;
            var taken = Replicas.TakenPorts(layout);
            taken.Add(target.FrontPort);
            var port = Ports.FirstFree(target.EngineBasePort, taken);
            var command = DeployHandler.ServeCommand(options, spec, port, info.CheckpointPath, info.TokenizerPath);
            var record = DetachedProcesses.Start(layout.ReplicaRecordPath(revision, index), command, port, layout.ReplicaLogPath(revision, index));
            log($"{revision}: replica {index} started (pid {record.Pid}, port {port})");
            started.Add((index, record));
        }

        var deadline = time.GetUtcNow() + StartWithin;
        var pending = started.ToList();
        while (pending.Count > 0)
        {
            foreach (var replica in pending.ToList())
            {
                if (await probe.IsLiveAsync(Replicas.Url(replica.Record), cancellationToken))
                {
                    pending.Remove(replica);
                }
                else if (!replica.Record.IsAlive || time.GetUtcNow() > deadline)
                {
                    log($"{revision}: replica {replica.Index} did not come up: {string.Join(" | ", DetachedProcesses.Tail(replica.Record.LogPath, 3))}");
                    await ForgetAsync(layout, revision, replica.Index, replica.Record, cancellationToken);
                    pending.Remove(replica);
                }
            }

            if (pending.Count > 0) await Task.Delay(TimeSpan.FromMilliseconds(250), time, cancellationToken);
        }

        using (await EnvironmentLock.AcquireAsync(layout, cancellationToken))
        {
            return await RouteLiveAsync(layout, target, revision, exclude: new HashSet<string>(StringComparer.Ordinal), cancellationToken);
        }
    }

    /// <summary>Takes the highest-indexed replicas out of the table, drains them, stops them and forgets them.</summary>
    public async Task<int> ScaleDownAsync(LocalLayout layout, RolloutSpec spec, string revision, int to, Action<string> log, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(log);
        var target = spec.Target.Local ?? new LocalTargetSpec();
        using var routing = await EnvironmentLock.AcquireAsync(layout, cancellationToken);
        var recorded = Recorded(layout, revision);
        var removed = recorded.Reverse().Take(Math.Max(0, recorded.Count - Math.Max(1, to))).ToList();
        var serving = await RouteLiveAsync(layout, target, revision, removed.Select(r => Replicas.Url(r.Value)).ToHashSet(StringComparer.Ordinal), cancellationToken);
        if (serving == 0)
        {
            // Nothing else of the revision is live: keep what is there rather than leave it without replicas.
            await RouteLiveAsync(layout, target, revision, exclude: new HashSet<string>(StringComparer.Ordinal), cancellationToken);
            log($"{revision}: not scaled down: no other replica is live");
            return recorded.Count;
        }

        log($"{revision}: draining replica(s) {string.Join(", ", removed.Select(r => r.Key))} for {options.DrainDelay.TotalSeconds:0.#} s before stopping them");
        await Task.Delay(options.DrainDelay, time, cancellationToken);
        foreach (var (index, record) in removed)
        {
            await ForgetAsync(layout, revision, index, record, cancellationToken);
            log($"{revision}: replica {index} stopped (pid {record.Pid}, port {record.Port})");
        }

        return Recorded(layout, revision).Count;
    }

    /// <summary>Publishes the table with the revision's live replicas (but <paramref name="exclude"/>) as its endpoints;
    /// returns how many it routes. The caller holds the routing lock.</summary>
    private async Task<int> RouteLiveAsync(LocalLayout layout, LocalTargetSpec target, string revision, IReadOnlySet<string> exclude, CancellationToken cancellationToken)
    {
        var table = RouteTable.Load(layout.RoutesPath) ?? new RouteTable();
        var live = (await LiveAsync(layout, revision, cancellationToken)).Where(e => !exclude.Contains(e)).ToList();
        if (live.Count == 0 || table.Revisions.All(r => r.Revision != revision)) return live.Count;
        var routes = table.Revisions.Select(r => r.Revision == revision ? r with { Endpoints = live } : r).ToList();
        await FrontControl.PublishToRunningAsync(layout, $"http://127.0.0.1:{target.FrontPort}", probe, table with { Revisions = routes }, time, cancellationToken);
        return live.Count;
    }

    private async Task ForgetAsync(LocalLayout layout, string revision, int index, ProcessRecord record, CancellationToken cancellationToken)
    {
        await DetachedProcesses.StopAsync(record, options.ReplicaStopGrace, cancellationToken);
        File.Delete(layout.ReplicaRecordPath(revision, index));
        File.Delete(layout.ReplicaLogPath(revision, index));
    }

    [GeneratedRegex(@"^replica-(\d+)\.json$")]
    private static partial Regex IndexPattern();
}
