using Runner.Agent;
using Runner.Front;

namespace Runner.Local;

/// <summary><c>traffic.shift</c> and <c>revision.promote</c>: both set (never add to) the environment's routing table
/// and wait until the front serves it. A revision gets traffic only while its replicas answer their healthcheck.</summary>
internal static class TrafficHandlers
{
    public static async Task<StepResult> ShiftAsync(LocalStep step, EngineProbe probe, CancellationToken cancellationToken)
    {
        var weight = Math.Clamp(step.IntParameter("weight") ?? 100, 0, 100);
        var current = RouteTable.Load(step.Layout.RoutesPath);
        var stable = current?.StableRevision ?? step.State.StableRevision;
        if (stable == step.Revision)
        {
            stable = null;
        }

        var canary = await LiveRouteAsync(step, probe, step.Revision, 100, cancellationToken);
        if (canary is null)
        {
            return StepResult.Failed($"revision {step.Revision} has no live replica: it cannot take traffic");
        }

        var routes = new List<RevisionRoute>();
        if (stable is not null && weight < 100)
        {
            var stableRoute = await LiveRouteAsync(step, probe, stable, 100 - weight, cancellationToken);
            if (stableRoute is null)
            {
                step.Log.Write($"stable revision {stable} has no live replica: {step.Revision} takes all traffic");
            }
            else
            {
                routes.Add(stableRoute);
            }
        }

        routes.Insert(0, canary with { Weight = routes.Count == 0 ? 100 : weight });
        await FrontControl.PublishAsync(step, probe, new RouteTable
        {
            StableRevision = stable,
            CanaryRevision = step.Revision,
            CanaryWeight = weight,
            Revisions = routes,
        }, cancellationToken);
        return StepResult.Succeeded(EnvironmentStates.Output(step.State with
        {
            CanaryRevision = step.Revision,
            CanaryWeight = weight,
            FrontUrl = step.FrontUrl,
        }));
    }

    public static async Task<StepResult> PromoteAsync(LocalStep step, EngineProbe probe, CancellationToken cancellationToken)
    {
        var route = await LiveRouteAsync(step, probe, step.Revision, 100, cancellationToken);
        if (route is null)
        {
            return StepResult.Failed($"revision {step.Revision} has no live replica: it cannot become stable");
        }

        await FrontControl.PublishAsync(step, probe, new RouteTable { StableRevision = step.Revision, Revisions = [route] }, cancellationToken);
        return StepResult.Succeeded(EnvironmentStates.Output(step.State with
        {
            StableRevision = step.Revision,
            CanaryRevision = null,
            CanaryWeight = 0,
            FrontUrl = step.FrontUrl,
        }));
    }

    private static async Task<RevisionRoute?> LiveRouteAsync(
        LocalStep step, EngineProbe probe, string revision, int weight, CancellationToken cancellationToken)
    {
        var endpoints = await Replicas.LiveEndpointsAsync(step.Layout, revision, probe, cancellationToken);
        return endpoints.Count == 0 ? null : new RevisionRoute(revision, weight, endpoints);
    }
}
