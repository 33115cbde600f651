using System.Security.Claims;
using Contracts;
using Contracts.Specs;
using Microsoft.AspNetCore.Http.HttpResults;
using Orchestrator.Hosting;
using Orchestrator.Persistence;
using Orchestrator.Planning;
using Orchestrator.Rollouts;
using Orchestrator.Runs;

namespace Orchestrator.Environments;

/// <summary><c>POST /api/environments/{name}/teardown?confirm=true</c>: queues a run that deletes the environment's cloud
/// resources, with the settings of its latest rollout. Refused without the explicit confirmation. <c>urgent=true</c>
/// starts it without waiting for a maintenance window.</summary>
public static class TeardownEndpoint
{
    public static async Task<Results<Accepted<RunDto>, ValidationProblem, ProblemHttpResult>> HandleAsync(
        string name, bool? confirm, bool? urgent, ClaimsPrincipal user, Database database, RolloutService rollouts, CancellationToken cancellationToken)
    {
        if (confirm != true)
        {
            return Problems.Invalid("confirm", "Teardown deletes the cluster, the service account and the bucket: repeat with confirm=true.");
        }

        await using var connection = await database.DataSource.OpenConnectionAsync(cancellationToken);
        if (await LatestRollouts.LatestAsync(connection, name, cancellationToken) is not { } spec)
        {
            return Problems.Conflict($"Environment '{name}' has no rollout: there is nothing to tear down.", "Nothing to tear down");
        }

        if (spec.Target.Kind != TargetKinds.Gke)
        {
            return Problems.Conflict($"Environment '{name}' has target kind '{spec.Target.Kind}': teardown deletes gke resources only.", "Not a gke environment");
        }

        var trigger = new TriggerDto { Kind = "api", Actor = user.FindFirstValue(ClaimTypes.Name) };
        var result = await rollouts.CreateAsync(spec, trigger, supersede: false, TeardownPlan.Plan(spec), urgent ?? false, cancellationToken);
        if (result.NotFound) return Problems.NotFound($"Environment '{name}' does not exist.");
        if (result.Invalid is { } errors) return Problems.Invalid(errors);
        return TypedResults.Accepted($"/api/runs/{result.Run!.Id}", result.Run);
    }
}
