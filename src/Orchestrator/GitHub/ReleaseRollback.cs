using System.Text.Json;
using Contracts;
using Contracts.Specs;
using Dapper;
using Npgsql;

namespace Orchestrator.GitHub;

/// <summary>
/// A deleted or unpublished release, when its binding says <c>rollback</c>: if the environment's current rollout (its
/// last successful run) came from that release, the rollout before it is applied again. Anything else is left alone:
/// a release that is not what the environment serves has nothing to take back.
/// </summary>
public sealed class ReleaseRollback(NpgsqlDataSource dataSource, ReleaseRuns runs)
{
    public async Task<DeliveryOutcome?> RollBackAsync(ClaimedDelivery delivery, BindingDto binding, string environment, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(delivery);
        ArgumentNullException.ThrowIfNull(binding);
        List<Succeeded> last;
        await using (var connection = await dataSource.OpenConnectionAsync(cancellationToken))
        {
            last = [.. await connection.QueryAsync<Succeeded>(new CommandDefinition("""
                SELECT o.revision AS Revision, o.spec::text AS Spec, r.trigger_kind AS TriggerKind,
                       r.trigger_details->>'repository' AS Repository, r.trigger_details->>'releaseId' AS ReleaseId, r.trigger_details->>'tag' AS Tag
                FROM runs r JOIN rollouts o ON o.id = r.rollout_id
                WHERE r.environment = @environment AND r.status = 'succeeded'
                ORDER BY r.finished_at DESC LIMIT 2
                """, new { environment }, cancellationToken: cancellationToken))];
        }
        var releaseId = delivery.ReleaseId!.Value.ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (last is not [var current, ..] || current.TriggerKind != "github-release" || current.Repository != delivery.Repository || current.ReleaseId != releaseId)
            return DeliveryOutcome.Ignore($"release {delivery.Action}; {environment} does not serve it, nothing to roll back", environment);
        if (last is not [_, var previous])
            return DeliveryOutcome.Ignore($"release {delivery.Action}; {environment} has no earlier successful rollout to go back to", environment);

        var spec = JsonSerializer.Deserialize<RolloutSpec>(previous.Spec, ContractJson.Options)!;
        // The deployment is the previous release's, when that is where the spec came from; another source has none.
        var deployment = previous is { TriggerKind: "github-release", Tag: { } tag } && previous.Repository == delivery.Repository
            ? new Deployment(delivery.Repository!, tag, environment, delivery.InstallationId ?? binding.InstallationId)
            : null;
        var trigger = ReleaseRuns.Trigger(delivery, new Dictionary<string, string> { ["rollbackTo"] = previous.Revision, ["rollbackFrom"] = current.Revision });
        return await runs.StartAsync(delivery, spec, trigger, deployment, cancellationToken);
    }

    private sealed record Succeeded
    {
        public string Revision { get; init; } = "";
        public string Spec { get; init; } = "{}";
        public string TriggerKind { get; init; } = "";
        public string? Repository { get; init; }
        public string? ReleaseId { get; init; }
        public string? Tag { get; init; }
    }
}
