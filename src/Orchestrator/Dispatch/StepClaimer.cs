using System.Text.Json.Nodes;
using Contracts.Protocol;
using Dapper;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Orchestrator.Dispatch;

/// <summary>
/// Hands ready steps to runners. One statement claims: <c>UPDATE … WHERE id = (SELECT … FOR UPDATE SKIP LOCKED LIMIT 1)</c>
/// with a fresh lease token, returning everything the runner needs, so a claim costs one round trip and one commit.
/// </summary>
public sealed class StepClaimer(NpgsqlDataSource dataSource, ReadySignal signal, TimeProvider time, IOptions<DispatchOptions> options)
{
    /// <summary>Returns the runner's labels (null when it was removed) and records that it is alive. last_seen is
    /// written at most every few seconds, so that a busy runner's claims do not each cost an extra commit.</summary>
    public async Task<string[]?> TouchRunnerAsync(Guid runnerId, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<string[]>(new CommandDefinition("""
            WITH seen AS (UPDATE runners SET last_seen_at = @now WHERE id = @runnerId AND last_seen_at < @stale)
            SELECT labels FROM runners WHERE id = @runnerId AND removed_at IS NULL
            """, new { runnerId, now, stale = now.AddSeconds(-5) }, cancellationToken: cancellationToken));
    }

    public async Task<StepClaim?> TryClaimAsync(Guid runnerId, string[] labels, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var leaseToken = Guid.NewGuid();
        var expires = now.AddSeconds(options.Value.LeaseSeconds);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<ClaimRow>(new CommandDefinition("""
            WITH claimed AS (
                UPDATE steps s
                SET status = 'running', attempt = s.attempt + 1, lease_token = @leaseToken, lease_expires_at = @expires,
                    runner_id = @runnerId, attempt_started_at = @now, started_at = COALESCE(s.started_at, @now), not_before = NULL
                WHERE s.id = (SELECT c.id FROM steps c
                              WHERE c.status = 'ready' AND c.not_before <= @now AND c.kind <> 'canary.pause'
                                AND c.required_labels <@ @labels
                              ORDER BY c.ready_at, c.id
                              LIMIT 1
                              FOR UPDATE SKIP LOCKED)
                RETURNING s.id, s.run_id, s.name, s.kind, s.attempt, s.timeout_seconds, s.parameters, s.outputs)
            SELECT c.id AS StepId, c.run_id AS RunId, c.name AS Name, c.kind AS Kind, c.attempt AS Attempt,
                   c.timeout_seconds AS TimeoutSeconds, c.parameters::text AS Parameters, c.outputs::text AS PreviousOutputs,
                   r.environment AS Environment, ro.revision AS Revision, ro.spec::text AS Spec, e.state::text AS EnvironmentState,
                   (SELECT COALESCE(jsonb_object_agg(o.name, o.outputs), '{}'::jsonb)::text
                    FROM steps o WHERE o.run_id = c.run_id AND o.status IN ('succeeded', 'skipped')) AS Inputs
            FROM claimed c
            JOIN runs r ON r.id = c.run_id
            JOIN rollouts ro ON ro.id = r.rollout_id
            JOIN environments e ON e.name = r.environment
            """, new { leaseToken, expires, runnerId, now, labels }, cancellationToken: cancellationToken));
        if (row is null) return null;

        var inputs = JsonNode.Parse(row.Inputs)!.AsObject();
        inputs["environment"] = JsonNode.Parse(row.EnvironmentState);
        return new StepClaim
        {
            StepId = row.StepId,
            RunId = row.RunId,
            Environment = row.Environment,
            Revision = row.Revision,
            Name = row.Name,
            Kind = row.Kind,
            Attempt = row.Attempt,
            LeaseToken = leaseToken,
            LeaseExpiresAt = expires,
            TimeoutSeconds = row.TimeoutSeconds,
            Spec = JsonNode.Parse(row.Spec)!.AsObject(),
            Parameters = JsonNode.Parse(row.Parameters)!.AsObject(),
            Inputs = inputs,
            PreviousOutputs = JsonNode.Parse(row.PreviousOutputs)!.AsObject(),
        };
    }

    /// <summary>Long poll: answers at once when work exists, else waits for a wake-up (this instance's commits or
    /// another's NOTIFY) or the periodic re-check, and gives up with null after <paramref name="wait"/>.</summary>
    public async Task<StepClaim?> ClaimAsync(Guid runnerId, string[] labels, TimeSpan wait, CancellationToken cancellationToken)
    {
        var deadline = time.GetUtcNow() + wait;
        var recheck = TimeSpan.FromMilliseconds(options.Value.ClaimRecheckMilliseconds);
        while (true)
        {
            var wake = signal.Next;
            if (await TryClaimAsync(runnerId, labels, cancellationToken) is { } claim) return claim;
            var left = deadline - time.GetUtcNow();
            if (left <= TimeSpan.Zero) return null;
            var delay = Task.Delay(left < recheck ? left : recheck, time, cancellationToken);
            await Task.WhenAny(wake, delay);
            cancellationToken.ThrowIfCancellationRequested();
        }
    }

    private sealed record ClaimRow
    {
        public Guid StepId { get; init; }
        public Guid RunId { get; init; }
        public string Name { get; init; } = "";
        public string Kind { get; init; } = "";
        public int Attempt { get; init; }
        public int TimeoutSeconds { get; init; }
        public string Parameters { get; init; } = "{}";
        public string PreviousOutputs { get; init; } = "{}";
        public string Environment { get; init; } = "";
        public string Revision { get; init; } = "";
        public string Spec { get; init; } = "{}";
        public string EnvironmentState { get; init; } = "{}";
        public string Inputs { get; init; } = "{}";
    }
}
