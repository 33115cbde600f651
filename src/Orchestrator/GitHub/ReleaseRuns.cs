using Contracts.Specs;
using Dapper;
using Orchestrator.Rollouts;
using Orchestrator.Runs;

namespace Orchestrator.GitHub;

/// <summary>
/// Starts the run a delivery asks for: the rollout, its GitHub deployment row and the delivery's <c>started</c> mark
/// commit together, fenced by the delivery's claim token, so a delivery starts one run at most.
/// </summary>
public sealed partial class ReleaseRuns(RolloutService rollouts, TimeProvider time, ILogger<ReleaseRuns> logger)
{
    /// <summary>Starts the run and marks the delivery in one transaction; null once done, else why not.</summary>
    public async Task<DeliveryOutcome?> StartAsync(ClaimedDelivery delivery, RolloutSpec spec, TriggerDto trigger, Deployment? deployment, CancellationToken cancellationToken)
    {
        var result = await rollouts.CreateAsync(spec, trigger, supersede: false, plan: null, async (connection, transaction, runId) =>
        {
            var marked = await connection.ExecuteAsync(new CommandDefinition("""
                UPDATE github_deliveries SET processed_at = @now, outcome = 'started', detail = @detail, environment = @Environment, run_id = @runId,
                                             claim_token = NULL, claimed_until = NULL
                WHERE delivery_id = @DeliveryId AND claim_token = @ClaimToken
                """, new { delivery.DeliveryId, delivery.ClaimToken, spec.Environment, runId, now = time.GetUtcNow(), detail = $"run {runId} in {spec.Environment}" },
                transaction, cancellationToken: cancellationToken));
            if (marked == 0) return false;
            if (deployment is not null)
                await connection.ExecuteAsync(new CommandDefinition("""
                    INSERT INTO github_deployments (run_id, repository, ref, environment, installation_id, created_at)
                    VALUES (@runId, @Repository, @Ref, @Environment, @InstallationId, @now)
                    """, new { runId, deployment.Repository, deployment.Ref, deployment.Environment, deployment.InstallationId, now = time.GetUtcNow() },
                    transaction, cancellationToken: cancellationToken));
            return true;
        }, cancellationToken);
        if (result.NotFound) return DeliveryOutcome.Refuse($"environment '{spec.Environment}' does not exist", spec.Environment);
        if (result.Invalid is { } errors)
            return DeliveryOutcome.Refuse(string.Join("; ", errors.ToDictionary().Select(kv => $"{kv.Key}: {string.Join(" ", kv.Value)}")), spec.Environment);
        if (result.Conflict is not null) LogClaimLost(delivery.DeliveryId);
        else LogStarted(delivery.DeliveryId, result.Run!.Id, spec.Environment);
        return null;
    }

    public static TriggerDto Trigger(ClaimedDelivery delivery, IReadOnlyDictionary<string, string>? more = null) => new()
    {
        Kind = "github-release",
        Actor = $"github:{delivery.Repository}",
        Details = new Dictionary<string, string>(more ?? new Dictionary<string, string>())
        {
            ["repository"] = delivery.Repository!,
            ["releaseId"] = delivery.ReleaseId!.Value.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["tag"] = delivery.Tag!,
            ["deliveryId"] = delivery.DeliveryId,
        },
    };

    [LoggerMessage(Level = LogLevel.Information, Message = "GitHub delivery {DeliveryId} started run {RunId} in {Environment}")]
    private partial void LogStarted(string deliveryId, Guid runId, string environment);

    [LoggerMessage(Level = LogLevel.Warning, Message = "GitHub delivery {DeliveryId}: claim lost to another pass; no run was started")]
    private partial void LogClaimLost(string deliveryId);
}
