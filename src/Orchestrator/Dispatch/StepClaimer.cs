using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Contracts.Protocol;
using Dapper;
using Microsoft.Extensions.Options;
using Npgsql;
using Orchestrator.Secrets;
using Orchestrator.Telemetry;

namespace Orchestrator.Dispatch;

/// <summary>
/// Hands ready steps to runners. One statement claims (see <see cref="ClaimWrite"/>), returning everything the runner
/// needs; claims made at the same moment share a round trip and a commit (see <see cref="WriteBatcher"/>).
/// </summary>
public sealed class StepClaimer(
    NpgsqlDataSource dataSource, WriteBatcher batcher, ReadySignal signal, TimeProvider time, IOptions<DispatchOptions> options, StepTelemetry telemetry,
    StepSecrets secrets)
{
    private static readonly TimeSpan TouchEvery = TimeSpan.FromSeconds(5);
    private readonly ConcurrentDictionary<Guid, DateTimeOffset> _touched = new();

    /// <summary>Records that the runner is alive; false when it was removed. last_seen is written at most every few
    /// seconds per runner and instance, so that a busy runner's claims do not each cost a round trip.</summary>
    public async Task<bool> TouchRunnerAsync(Guid runnerId, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        if (_touched.TryGetValue(runnerId, out var last) && now - last < TouchEvery) return true;
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var present = await connection.ExecuteScalarAsync<bool>(new CommandDefinition("""
            WITH seen AS (UPDATE runners SET last_seen_at = @now WHERE id = @runnerId AND last_seen_at < @stale)
            SELECT EXISTS (SELECT 1 FROM runners WHERE id = @runnerId AND removed_at IS NULL)
            """, new { runnerId, now, stale = now - TouchEvery }, cancellationToken: cancellationToken));
        if (present) _touched[runnerId] = now;
        else _touched.TryRemove(runnerId, out _);
        return present;
    }

    public async Task<StepClaim?> TryClaimAsync(Guid runnerId, string[] labels, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        return await batcher.WriteAsync(NewClaim(runnerId, labels, now), cancellationToken) is { } row ? await ClaimedAsync(row, now, cancellationToken) : null;
    }

    /// <summary>The claim to hand out for a committed claim made at <paramref name="now"/>, counted in the metrics, with
    /// the secret values its step reads. Should this fail (the database went away), the runner gets no answer and the
    /// lease runs out: the step is claimed again as a new attempt.</summary>
    public async Task<StepClaim> ClaimedAsync(ClaimedStep row, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(row);
        telemetry.Claimed(row.Kind, row.ClaimableAt, now);
        return ToClaim(row) with { Secrets = await secrets.ForAsync(row.Kind, row.Spec, cancellationToken) };
    }

    /// <summary>A claim to write, with a fresh lease; <paramref name="afterCompleting"/>: see <see cref="ClaimWrite"/>.</summary>
    public ClaimWrite NewClaim(Guid runnerId, string[] labels, DateTimeOffset now, Guid? afterCompleting = null) =>
        new(runnerId, labels, Guid.NewGuid(), now.AddSeconds(options.Value.LeaseSeconds), now, afterCompleting);

    public static StepClaim ToClaim(ClaimedStep row)
    {
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
            LeaseToken = row.LeaseToken,
            LeaseExpiresAt = row.LeaseExpiresAt,
            TimeoutSeconds = row.TimeoutSeconds,
            Spec = JsonNode.Parse(row.Spec)!.AsObject(),
            Parameters = JsonNode.Parse(row.Parameters)!.AsObject(),
            Inputs = inputs,
            PreviousOutputs = JsonNode.Parse(row.PreviousOutputs)!.AsObject(),
            Traceparent = row.Traceparent,
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
}
