using System.Text.Json.Nodes;
using Dapper;
using Npgsql;

namespace Orchestrator.Health;

/// <summary>One status transition of an environment: the status row, a transition row and a <c>status</c> notification,
/// all in the caller's transaction (the caller holds the status row's lock, or inserts it).</summary>
internal static class StatusChange
{
    public static async Task ApplyAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, HealthNotifications notifications, string environment, string from, string to,
        string reason, DateTimeOffset? lastSampleAt, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await connection.ExecuteAsync(new CommandDefinition("""
            INSERT INTO health_status (environment, status, since, reason, last_sample_at) VALUES (@environment, @to, @now, @reason, @lastSampleAt)
            ON CONFLICT (environment) DO UPDATE SET status = EXCLUDED.status, since = EXCLUDED.since, reason = EXCLUDED.reason,
                last_sample_at = COALESCE(GREATEST(health_status.last_sample_at, EXCLUDED.last_sample_at), health_status.last_sample_at)
            """, new { environment, to, now, reason, lastSampleAt }, transaction, cancellationToken: cancellationToken));
        await connection.ExecuteAsync(new CommandDefinition("""
            INSERT INTO health_transitions (environment, at, from_status, to_status, reason) VALUES (@environment, @now, @from, @to, @reason)
            """, new { environment, now, from, to, reason }, transaction, cancellationToken: cancellationToken));
        await notifications.EnqueueAsync(connection, transaction, environment, HealthNotifications.StatusEvent,
            new JsonObject { ["from"] = from, ["to"] = to, ["reason"] = reason }, cancellationToken);
    }
}
