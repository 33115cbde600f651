using CloudTargets.Kubernetes;
using Runner.Analysis;

namespace Runner.Kubernetes;

/// <summary>The engine replicas of a Kubernetes target: a revision's ready pods, reached through the API server's pod
/// proxy (<c>/generate</c> on the HTTP front's port, <c>/metrics</c> on the server's). The stable revision is the
/// environment's recorded one.</summary>
internal sealed class PodEndpoints(KubeStep step) : IEngineEndpoints
{
    public string Canary => step.Revision;

    public string? Stable => step.State.StableRevision is { } s && s != step.Revision ? s : null;

    public string RunningName => "ready pod";

    public string LiveName => "ready pod";

    public async Task<IReadOnlyList<EngineEndpoint>> RunningAsync(string revision, CancellationToken cancellationToken) =>
        (await RevisionPods.ListAsync(step, revision, cancellationToken))
            .Where(RevisionPods.IsReady)
            .Select(p => new EngineEndpoint(
                step.Proxy.BaseUrl(step.Namespace, p.Metadata.Name, Names.HttpPort),
                step.Proxy.BaseUrl(step.Namespace, p.Metadata.Name, Names.ServerPort)))
            .ToList();

    // A pod is ready once its readiness probe on /healthcheck passes: the running pods are the live ones.
    public Task<IReadOnlyList<EngineEndpoint>> LiveAsync(string revision, CancellationToken cancellationToken) =>
        RunningAsync(revision, cancellationToken);
}
