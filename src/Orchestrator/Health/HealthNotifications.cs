using System.Text.Json.Nodes;
using Dapper;
using Npgsql;

namespace Orchestrator.Health;

/// <summary>
/// Puts an event for an environment into the notification outbox, one delivery per notify URL, inside the caller's
/// transaction: the event is sent if and only if the caller's change commits. Status changes use
/// <see cref="StatusEvent"/>; the rollback code uses <c>rollback</c>.
/// </summary>
public sealed class HealthNotifications(TimeProvider time)
{
    public const string StatusEvent = "status";
    public const string RollbackEvent = "rollback";

    /// <summary>Returns the event id (also sent as <c>X-Orchestrator-Event-Id</c>, the receiver's dedupe key).</summary>
    public async Task<Guid> EnqueueAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, string environment, string eventKind, JsonObject payload,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(payload);
        var eventId = Guid.CreateVersion7();
        var now = time.GetUtcNow();
        var body = new JsonObject
        {
            ["id"] = eventId,
            ["event"] = eventKind,
            ["environment"] = environment,
            ["at"] = now,
            ["data"] = payload.DeepClone(),
        };
        await connection.ExecuteAsync(new CommandDefinition("""
            INSERT INTO notification_deliveries (id, event_id, environment, url, event_kind, payload, next_attempt_at, created_at)
            SELECT gen_random_uuid(), @eventId, @environment, u.url, @eventKind, @payload::jsonb, @now, @now
            FROM environments e CROSS JOIN LATERAL unnest(e.notify_urls) AS u (url)
            WHERE e.name = @environment
            """, new { eventId, environment, eventKind, payload = body.ToJsonString(), now }, transaction, cancellationToken: cancellationToken));
        return eventId;
    }
}
