using System.Text.Json;
using System.Text.Json.Nodes;
using Contracts;
using Contracts.Protocol;
using Dapper;
using Microsoft.Extensions.Options;
using Npgsql;
using Orchestrator.Persistence;
using Orchestrator.Telemetry;

namespace Orchestrator.Dispatch;

/// <summary>
/// What a runner reports about a step it holds. Every write is fenced by the lease token: false or null means the
/// lease is gone (expired and reclaimed, or the step ended) and the runner must stop.
/// </summary>
public sealed class StepReports(
    Database database, WriteBatcher batcher, StepClaimer claimer, AttemptOutcomes outcomes, RunProgress progress, TimeProvider time,
    IOptions<DispatchOptions> options, StepTelemetry telemetry)
{
    /// <summary>A lease is renewed once less than this share of its length is left (see <see cref="HeartbeatWrite"/>).</summary>
    private const double RenewWhenLeft = 0.75;

    public async Task<HeartbeatResponse?> HeartbeatAsync(Guid stepId, HeartbeatRequest request, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var lease = TimeSpan.FromSeconds(options.Value.LeaseSeconds);
        var write = new HeartbeatWrite(stepId, request.LeaseToken, now + lease, now + (lease * RenewWhenLeft), Json(request.Outputs),
            request.Progress is null ? null : System.Text.Json.JsonSerializer.Serialize(request.Progress, ContractJson.Options));
        // A run that ended (cancelled, or failed through another step) no longer wants this step's work.
        return await batcher.WriteAsync(write, cancellationToken) is { } held
            ? new HeartbeatResponse(held.LeaseExpiresAt, held.CancelRequested, held.FinishRequested)
            : null;
    }

    public async Task<bool> AppendLogsAsync(Guid stepId, AppendLogsRequest request, CancellationToken cancellationToken)
    {
        var lines = request.Lines ?? [];
        await using var connection = await database.DataSource.OpenConnectionAsync(cancellationToken);
        var held = await connection.ExecuteScalarAsync<long>(new CommandDefinition("""
            WITH s AS (SELECT id, attempt FROM steps WHERE id = @stepId AND lease_token = @LeaseToken AND status = 'running'),
                 ins AS (INSERT INTO step_logs (step_id, attempt, sequence, at, text)
                         SELECT s.id, s.attempt, l.seq, l.at, l.text
                         FROM s CROSS JOIN unnest(@seqs, @ats, @texts) AS l(seq, at, text)
                         ON CONFLICT (step_id, attempt, sequence) DO NOTHING)
            SELECT count(*) FROM s
            """, new
        {
            stepId,
            request.LeaseToken,
            seqs = lines.Select(l => l.Sequence).ToArray(),
            ats = lines.Select(l => l.At.ToUniversalTime()).ToArray(),
            // PostgreSQL text cannot hold NUL.
            texts = lines.Select(l => (l.Text ?? "").Replace("\0", "", StringComparison.Ordinal)).ToArray(),
        }, cancellationToken: cancellationToken));
        return held == 1;
    }

    /// <summary>Ends the step as the runner reports. With <paramref name="nextFor"/> (the runner, when it asked for its
    /// next step), also claims the runner's next step once the step is ended, in the same transaction when it can.</summary>
    public async Task<Completion> CompleteAsync(Guid stepId, CompleteStepRequest request, (Guid RunnerId, string[] Labels)? nextFor, CancellationToken cancellationToken)
    {
        var outputs = request.Outputs ?? new JsonObject();
        // The common case goes with whatever else is being written at the moment; the rest (failures, cancels, changes
        // to the environment's state, stale leases and runs that ended) takes the general path below.
        if (request.Outcome is StepStatuses.Succeeded or StepStatuses.Skipped && !outputs.ContainsKey(EnvironmentState.OutputMember))
        {
            var now = time.GetUtcNow();
            var next = nextFor is { } runner ? claimer.NewClaim(runner.RunnerId, runner.Labels, now, afterCompleting: stepId) : null;
            var write = new CompletionWrite(stepId, request.LeaseToken, request.Outcome, Json(outputs), now, next);
            if (await batcher.WriteAsync(write, cancellationToken))
            {
                if (write.Ended is { } ended) telemetry.AttemptEnded(ended);
                return new Completion(Held: true, write.Next is { } claimed ? await claimer.ClaimedAsync(claimed, now, cancellationToken) : null);
            }
        }
        if (!await CompleteAloneAsync(stepId, request, outputs, cancellationToken)) return new Completion(Held: false, Next: null);
        return new Completion(Held: true, nextFor is { } r ? await claimer.TryClaimAsync(r.RunnerId, r.Labels, cancellationToken) : null);
    }

    private async Task<bool> CompleteAloneAsync(Guid stepId, CompleteStepRequest request, JsonObject outputs, CancellationToken cancellationToken)
    {
        AttemptEnd? ended = null;
        var done = await database.InTransactionAsync(async (connection, transaction) =>
        {
            var now = time.GetUtcNow();
            var step = await StepFencing.LockAsync(connection, transaction, stepId, request.LeaseToken, cancellationToken);
            if (step is null) return false;
            ended = step.Ended(request.Outcome, request.Error, now);
            await EnvironmentStateWrite.ReplaceAsync(connection, transaction, step.Environment, outputs, now, cancellationToken);
            var outputsJson = Json(outputs);
            switch (request.Outcome)
            {
                case StepStatuses.Succeeded or StepStatuses.Skipped:
                    await outcomes.SucceedAsync(connection, transaction, step, request.Outcome, outputsJson, now, cancellationToken);
                    break;
                case StepOutcomes.Inconclusive:
                    await outcomes.WaitAsync(connection, transaction, step, request.Error ?? "the analysis was inconclusive", outputsJson, now, cancellationToken);
                    break;
                case StepStatuses.Failed:
                    await outcomes.FailAsync(connection, transaction, step, request.Error ?? "failed without a message", outputsJson, reportedByRunner: true, now, cancellationToken);
                    break;
                default:
                    await outcomes.CancelAsync(connection, transaction, step, request.Error, outputsJson, now, cancellationToken);
                    break;
            }
            return true;
        }, cancellationToken);
        if (!done) return false;
        progress.PulseLocal();
        telemetry.AttemptEnded(ended!);
        return true;
    }

    public async Task<bool> ReleaseAsync(Guid stepId, ReleaseStepRequest request, CancellationToken cancellationToken)
    {
        AttemptEnd? ended = null;
        var done = await database.InTransactionAsync(async (connection, transaction) =>
        {
            var step = await StepFencing.LockAsync(connection, transaction, stepId, request.LeaseToken, cancellationToken);
            if (step is null) return false;
            var now = time.GetUtcNow();
            ended = step.Ended(StepTelemetry.Released, null, now);
            await outcomes.ReleaseAsync(connection, transaction, step, now, cancellationToken);
            return true;
        }, cancellationToken);
        if (!done) return false;
        progress.PulseLocal();
        telemetry.AttemptEnded(ended!);
        return true;
    }

    /// <summary>What a completion did: <see cref="Held"/> is false when the lease was gone (nothing was written).</summary>
    public sealed record Completion(bool Held, StepClaim? Next);

    private static string Json(JsonObject? value) => value is null ? "{}" : value.ToJsonString(ContractJson.Options);
}
