using System.Text.Json.Nodes;
using Contracts.Protocol;
using Dapper;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Orchestrator.Health;

/// <summary>
/// Stores a runner's batch of samples, each fenced by its watch token (a sample from a runner that lost the watch is
/// dropped and its environment named back as stale), and in the same transaction derives each environment's status
/// from its newest sample: a change is a transition row and a notification in the outbox, so a status change is
/// notified once, or not at all if the transaction does not commit.
/// </summary>
public sealed class SampleIngest(NpgsqlDataSource dataSource, HealthNotifications notifications, IOptions<HealthOptions> options, TimeProvider time)
{
    public const int MaxSamplesPerBatch = 5000;

    public async Task<ReportSamplesResponse> ReportAsync(Guid runnerId, IReadOnlyList<HealthSample> samples, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var tokens = samples.Select(s => (s.Environment, s.WatchToken)).Distinct().ToList();
        var current = (await connection.QueryAsync<(string Environment, Guid Token)>(new CommandDefinition("""
            SELECT w.environment, w.watch_token FROM health_watches w
            WHERE w.runner_id = @runnerId AND w.environment = ANY(@environments)
            FOR UPDATE
            """, new { runnerId, environments = tokens.Select(t => t.Environment).Distinct().ToArray() }, transaction,
            cancellationToken: cancellationToken))).ToHashSet();
        var accepted = samples.Where(s => current.Contains((s.Environment, s.WatchToken))).ToList();
        var stale = tokens.Where(t => !current.Contains(t)).Select(t => t.Environment).Distinct().Order(StringComparer.Ordinal).ToList();

        if (accepted.Count > 0)
        {
            await InsertAsync(connection, transaction, runnerId, accepted, cancellationToken);
            foreach (var newest in accepted.GroupBy(s => s.Environment).Select(g => g.MaxBy(s => s.At)!))
                await DeriveAsync(connection, transaction, newest, now, cancellationToken);
        }
        await transaction.CommitAsync(cancellationToken);
        return new ReportSamplesResponse { Accepted = accepted.Count, Stale = stale };
    }

    private static async Task InsertAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, Guid runnerId, List<HealthSample> samples, CancellationToken cancellationToken)
    {
        await using var writer = await connection.BeginBinaryImportAsync("""
            COPY health_samples (environment, revision, at, runner_id, healthcheck_ok, generate_ok, generate_latency_ms, replicas_total,
                                 replicas_ready, restarts, ttft_ms, tpot_ms, queue_depth, slots_used_percent, tokens_per_second, error)
            FROM STDIN (FORMAT BINARY)
            """, cancellationToken);
        foreach (var s in samples)
        {
            await writer.StartRowAsync(cancellationToken);
            await writer.WriteAsync(s.Environment, cancellationToken);
            await WriteNullableAsync(writer, s.Revision, cancellationToken);
            await writer.WriteAsync(s.At.UtcDateTime, NpgsqlTypes.NpgsqlDbType.TimestampTz, cancellationToken);
            await writer.WriteAsync(runnerId, cancellationToken);
            await writer.WriteAsync(s.HealthcheckOk, cancellationToken);
            await writer.WriteAsync(s.GenerateOk, cancellationToken);
            await WriteNullableAsync(writer, s.GenerateLatencyMs, cancellationToken);
            await WriteNullableAsync(writer, s.ReplicasTotal, cancellationToken);
            await WriteNullableAsync(writer, s.ReplicasReady, cancellationToken);
            await WriteNullableAsync(writer, s.Restarts, cancellationToken);
            await WriteNullableAsync(writer, s.TtftMs, cancellationToken);
            await WriteNullableAsync(writer, s.TpotMs, cancellationToken);
            await WriteNullableAsync(writer, s.QueueDepth, cancellationToken);
            await WriteNullableAsync(writer, s.SlotsUsedPercent, cancellationToken);
            await WriteNullableAsync(writer, s.TokensPerSecond, cancellationToken);
            await WriteNullableAsync(writer, s.Error is { Length: > 1000 } e ? e[..1000] : s.Error, cancellationToken);
        }
        await writer.CompleteAsync(cancellationToken);
    }

    private static Task WriteNullableAsync<T>(NpgsqlBinaryImporter writer, T? value, CancellationToken cancellationToken) where T : struct =>
        value is { } v ? writer.WriteAsync(v, cancellationToken) : writer.WriteNullAsync(cancellationToken);

    private static Task WriteNullableAsync(NpgsqlBinaryImporter writer, string? value, CancellationToken cancellationToken) =>
        value is { } v ? writer.WriteAsync(v, cancellationToken) : writer.WriteNullAsync(cancellationToken);

    private async Task DeriveAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, HealthSample newest, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var (status, reason) = StatusDerivation.Derive(newest, options.Value.DegradedLatencyMilliseconds);
        var previous = await connection.QuerySingleOrDefaultAsync<string?>(new CommandDefinition("""
            SELECT status FROM health_status WHERE environment = @Environment FOR UPDATE
            """, new { newest.Environment }, transaction, cancellationToken: cancellationToken));
        if (previous == status)
        {
            await connection.ExecuteAsync(new CommandDefinition("""
                UPDATE health_status SET last_sample_at = GREATEST(last_sample_at, @At), reason = @reason WHERE environment = @Environment
                """, new { newest.Environment, newest.At, reason }, transaction, cancellationToken: cancellationToken));
            return;
        }
        await StatusChange.ApplyAsync(connection, transaction, notifications, newest.Environment, previous ?? HealthStatuses.Unknown, status, reason,
            newest.At, now, cancellationToken);
    }
}
