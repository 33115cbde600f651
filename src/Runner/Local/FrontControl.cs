using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Runner.Front;
using Runner.Processes;

namespace Runner.Local;

/// <summary>Starts or adopts an environment's front (<c>runner front</c>, detached) and waits until it has loaded a
/// given routing-table version.</summary>
internal static class FrontControl
{
    private static readonly TimeSpan StartWithin = TimeSpan.FromSeconds(60);

    public static async Task EnsureRunningAsync(LocalStep step, EngineProbe probe, CancellationToken cancellationToken)
    {
        var port = step.Target.FrontPort;
        if (DetachedProcesses.Adoptable(step.Layout.FrontRecordPath) is { } live)
        {
            if (live.Port == port)
            {
                return;
            }

            step.Log.Write($"the front listens on {live.Port} but the spec asks for {port}: restarting it");
            await DetachedProcesses.StopAsync(live, TimeSpan.FromSeconds(10), cancellationToken);
        }

        var command = SelfCommand.Create(
            "front", "--state-dir", step.Layout.StateDir, "--environment", step.Claim.Environment,
            "--port", port.ToString(CultureInfo.InvariantCulture));
        var record = DetachedProcesses.Start(step.Layout.FrontRecordPath, command, port, step.Layout.FrontLogPath);
        step.Log.Write($"started the front (pid {record.Pid}) on {step.FrontUrl}");
        var deadline = step.Time.GetUtcNow() + StartWithin;
        while (await RoutesVersionAsync(probe, step.FrontUrl, cancellationToken) is null)
        {
            if (!record.IsAlive)
            {
                var tail = DetachedProcesses.Tail(record.LogPath, 10);
                throw new InvalidOperationException($"the front exited at start: {string.Join(" | ", tail)}");
            }

            if (step.Time.GetUtcNow() > deadline)
            {
                throw new InvalidOperationException(
                    $"the front (pid {record.Pid}) did not answer on {step.FrontUrl} within {StartWithin.TotalSeconds:0} s; see {record.LogPath}");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(200), step.Time, cancellationToken);
        }
    }

    /// <summary>Writes the table with the next version and returns once the front serves it.</summary>
    public static async Task<RouteTable> PublishAsync(LocalStep step, EngineProbe probe, RouteTable table, CancellationToken cancellationToken)
    {
        var published = table with { Version = (RouteTable.Load(step.Layout.RoutesPath)?.Version ?? 0) + 1 };
        published.Save(step.Layout.RoutesPath);
        await EnsureRunningAsync(step, probe, cancellationToken);
        await WaitLoadedAsync(step.Layout, step.FrontUrl, probe, published, step.Time, cancellationToken);
        step.Log.Write($"the front serves routing table version {published.Version}: "
            + string.Join(", ", published.Revisions.Select(r => $"{r.Revision} {r.Weight}%")));
        return published;
    }

    /// <summary>Writes the table with the next version into a front that runs (the autoscaler's way: it never starts
    /// one) and returns once the front serves it.</summary>
    public static async Task<RouteTable> PublishToRunningAsync(LocalLayout layout, string frontUrl, EngineProbe probe, RouteTable table, TimeProvider time, CancellationToken cancellationToken)
    {
        var published = table with { Version = (RouteTable.Load(layout.RoutesPath)?.Version ?? 0) + 1 };
        published.Save(layout.RoutesPath);
        await WaitLoadedAsync(layout, frontUrl, probe, published, time, cancellationToken);
        return published;
    }

    private static async Task WaitLoadedAsync(LocalLayout layout, string frontUrl, EngineProbe probe, RouteTable published, TimeProvider time, CancellationToken cancellationToken)
    {
        var version = await RoutesVersionAsync(probe, frontUrl, cancellationToken);
        var deadline = time.GetUtcNow() + StartWithin;
        while (version is null || version < published.Version)
        {
            if (time.GetUtcNow() > deadline)
            {
                throw new InvalidOperationException(
                    $"the front on {frontUrl} did not load routing table version {published.Version} within {StartWithin.TotalSeconds:0} s (it reports {version?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "nothing"}); see {layout.FrontLogPath}");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(100), time, cancellationToken);
            version = await RoutesVersionAsync(probe, frontUrl, cancellationToken);
        }
    }

    public static async Task<long?> RoutesVersionAsync(EngineProbe probe, string frontUrl, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(3));
        try
        {
            var routes = await probe.Http.GetFromJsonAsync<JsonObject>($"{frontUrl}/_front/routes", timeout.Token);
            return routes?["version"]?.GetValue<long>();
        }
        catch (Exception e) when (e is HttpRequestException or System.Text.Json.JsonException
                                   || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            return null;
        }
    }
}
