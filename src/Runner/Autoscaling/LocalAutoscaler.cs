using System.Text.Json;
using System.Text.Json.Nodes;
using Contracts;
using Contracts.Protocol;
using Contracts.Specs;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Runner.Agent;
using Runner.Front;
using Runner.Health;
using Runner.Local;

namespace Runner.Autoscaling;

/// <summary>
/// <c>engine.autoscaling</c> on the local target: every <see cref="SampleInterval"/> it reads the metric from the
/// <c>/metrics</c> of the stable revision's live engines, for each local environment this runner holds the health watch
/// of (one holder per environment, so two runners never scale one environment), and adds or drains engines as
/// <see cref="ScalingDecision"/> says. It leaves an environment alone while a canary or a rollback is under way there:
/// then the traffic steps choose the replicas. Each change is a log line and a <c>scaled</c> environment event. A
/// failed pass is logged and the next one tries again; a scaling action runs beside the loop, one per environment.
/// </summary>
internal sealed partial class LocalAutoscaler(
    HealthWatcher watches, LocalScaler scaler, OrchestratorClient client, RunnerOptions options, TimeProvider time, ILogger<LocalAutoscaler> logger)
    : BackgroundService
{
    public static readonly TimeSpan SampleInterval = TimeSpan.FromSeconds(2);

    private readonly Dictionary<string, Tracker> _trackers = new(StringComparer.Ordinal);
    private readonly List<WatchEvent> _events = [];

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                try
                {
                    await RunOnceAsync(stoppingToken);
                }
                catch (Exception e) when (e is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
                {
                    PassFailed(logger, e);
                }

                await Task.Delay(SampleInterval, time, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }

        foreach (var tracker in _trackers.Values.Where(t => t.Action is not null))
        {
            await tracker.Action!.ContinueWith(_ => { }, TaskScheduler.Default);
        }
    }

    /// <summary>One sample of every autoscaled environment held here, and the actions it calls for.</summary>
    public async Task RunOnceAsync(CancellationToken cancellationToken)
    {
        var leases = watches.Leases.Where(l => l.TargetKind == TargetKinds.Local).ToList();
        foreach (var gone in _trackers.Keys.Where(e => leases.All(l => l.Environment != e) && _trackers[e].Action is not { IsCompleted: false }).ToList())
        {
            _trackers.Remove(gone);
        }

        foreach (var lease in leases)
        {
            await SampleAsync(lease, cancellationToken);
        }

        await FlushEventsAsync(cancellationToken);
    }

    private async Task SampleAsync(WatchLease lease, CancellationToken cancellationToken)
    {
        var spec = lease.Spec.Deserialize<RolloutSpec>(ContractJson.Options);
        if (spec?.Engine.Autoscaling is not { } autoscaling || lease.State.StableRevision is not { } stable)
        {
            _trackers.Remove(lease.Environment);
            return;
        }

        if (!_trackers.TryGetValue(lease.Environment, out var tracker) || tracker.Revision != stable)
        {
            _trackers[lease.Environment] = tracker = new Tracker(stable);
        }

        if (tracker.Action is { IsCompleted: false }) return;
        var layout = new LocalLayout(options.StateDir, lease.Environment);
        var table = RouteTable.Load(layout.RoutesPath);
        var canary = lease.State.CanaryRevision is not null || lease.State.RollingBackRevision is not null
            || table is null || table.StableRevision != stable || table.Revisions.Any(r => r.Revision != stable && r.Weight > 0);
        if (canary)
        {
            tracker.Samples.Clear();
            return;
        }

        var current = LocalScaler.Recorded(layout, stable).Count;
        var live = await scaler.LiveAsync(layout, stable, cancellationToken);
        var gauge = AutoscalingMetrics.PrometheusName(autoscaling.Metric);
        var reading = await scaler.ReadAsync(live, gauge, cancellationToken);
        var now = time.GetUtcNow();
        if (reading is { } r) tracker.Add(new MetricSample(now, r.Replicas, r.Value), autoscaling);
        var policy = ScalingPolicy.From(autoscaling);
        var desired = ScalingDecision.Desired(policy, current, tracker.Samples, now);
        if (desired == current) return;

        var value = reading?.Value;
        tracker.Samples.Clear();
        tracker.Action = Task.Run(() => ScaleAsync(lease, spec, stable, current, desired, gauge, value, autoscaling.Target, cancellationToken), CancellationToken.None);
    }

    private async Task ScaleAsync(
        WatchLease lease, RolloutSpec spec, string revision, int from, int to, string gauge, double? value, double target, CancellationToken cancellationToken)
    {
        var layout = new LocalLayout(options.StateDir, lease.Environment);
        void Log(string line) => ActionLine(logger, lease.Environment, line);
        try
        {
            Scaling(logger, lease.Environment, revision, from, to, gauge, value, target);
            var now = to > from
                ? await scaler.ScaleUpAsync(layout, spec, revision, to, Log, cancellationToken)
                : await scaler.ScaleDownAsync(layout, spec, revision, to, Log, cancellationToken);
            Scaled(logger, lease.Environment, revision, from, now);
            if (now == from) return;
            lock (_events)
            {
                _events.Add(new WatchEvent
                {
                    Environment = lease.Environment,
                    WatchToken = lease.WatchToken,
                    Kind = WatchEvent.Scaled,
                    At = time.GetUtcNow(),
                    Details = new JsonObject
                    {
                        ["revision"] = revision,
                        ["from"] = from,
                        ["to"] = now,
                        ["metric"] = spec.Engine.Autoscaling!.Metric,
                        ["prometheusMetric"] = gauge,
                        ["value"] = value,
                        ["target"] = spec.Engine.Autoscaling.Target,
                    },
                });
            }
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            ScaleFailed(logger, lease.Environment, revision, from, to, e);
        }
    }

    private async Task FlushEventsAsync(CancellationToken cancellationToken)
    {
        List<WatchEvent> batch;
        lock (_events)
        {
            if (_events.Count == 0 || client.Token is null) return;
            // A scale that took long (engines starting under load) may end after the watch's lease was renewed with a
            // new token: the event goes with the token this runner holds now, and is dropped only if it holds the
            // environment's watch no longer (the orchestrator would refuse it anyway).
            var held = watches.Leases.ToDictionary(l => l.Environment, l => l.WatchToken, StringComparer.Ordinal);
            batch = [.. _events.Where(e => held.ContainsKey(e.Environment)).Select(e => e with { WatchToken = held[e.Environment] })];
            _events.Clear();
            if (batch.Count == 0) return;
        }

        try
        {
            await client.ReportEventsAsync(new ReportEventsRequest { Events = batch }, cancellationToken);
        }
        catch (Exception e) when (OrchestratorClient.IsTransient(e, cancellationToken))
        {
            // Not acknowledged: sent again with the next pass.
            lock (_events) _events.InsertRange(0, batch);
        }
    }

    [LoggerMessage(LogLevel.Information, "Autoscaling {Environment}: {Revision} from {From} to {To} replica(s) ({Gauge} averages {Value} per replica, target {Target})")]
    private static partial void Scaling(ILogger logger, string environment, string revision, int from, int to, string gauge, double? value, double target);

    [LoggerMessage(LogLevel.Information, "Autoscaled {Environment}: {Revision} serves on {Now} replica(s) (was {From})")]
    private static partial void Scaled(ILogger logger, string environment, string revision, int from, int now);

    [LoggerMessage(LogLevel.Information, "Autoscaling {Environment}: {Line}")]
    private static partial void ActionLine(ILogger logger, string environment, string line);

    [LoggerMessage(LogLevel.Warning, "Autoscaling {Environment}: scaling {Revision} from {From} to {To} failed")]
    private static partial void ScaleFailed(ILogger logger, string environment, string revision, int from, int to, Exception exception);

    [LoggerMessage(LogLevel.Warning, "An autoscaling pass failed; the next one tries again")]
    private static partial void PassFailed(ILogger logger, Exception exception);

    /// <summary>What the decision remembers of one environment: samples at the current count since the last change.</summary>
    private sealed class Tracker(string revision)
    {
        public string Revision { get; } = revision;
        public List<MetricSample> Samples { get; } = [];
        public Task? Action { get; set; }

        /// <summary>Keeps what the window and the two-sample rule need, no more.</summary>
        public void Add(MetricSample sample, AutoscalingSpec autoscaling)
        {
            Samples.Add(sample);
            Durations.TryParse(autoscaling.ScaleDownStabilization, out var window);
            while (Samples.Count > 2 && Samples[1].At <= sample.At - window) Samples.RemoveAt(0);
        }
    }
}
