using Runner.Analysis;
using Runner.Front;

namespace Runner.Local;

/// <summary>The local target's engine replicas: the recorded processes of a revision (running: the process lives; live:
/// it answers <c>/healthcheck</c> too), reached on loopback. The stable revision is the front's, else the recorded state's.</summary>
internal sealed class LocalEngineEndpoints(LocalStep step, EngineProbe probe) : IEngineEndpoints
{
    public string Canary => step.Revision;

    public string? Stable =>
        (RouteTable.Load(step.Layout.RoutesPath)?.StableRevision ?? step.State.StableRevision) is { } s && s != step.Revision ? s : null;

    public string RunningName => "running replica";

    public string LiveName => "live replica";

    public Task<IReadOnlyList<EngineEndpoint>> RunningAsync(string revision, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<EngineEndpoint>>(
            Replicas.Recorded(step.Layout, revision).Where(r => r.IsAlive).Select(r => Endpoint(Replicas.Url(r))).ToList());

    public async Task<IReadOnlyList<EngineEndpoint>> LiveAsync(string revision, CancellationToken cancellationToken) =>
        (await Replicas.LiveEndpointsAsync(step.Layout, revision, probe, cancellationToken)).Select(Endpoint).ToList();

    private static EngineEndpoint Endpoint(string url) => new(url, url);
}
