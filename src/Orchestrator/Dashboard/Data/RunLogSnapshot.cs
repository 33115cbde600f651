using System.Text.Json;
using Dapper;
using Npgsql;
using Orchestrator.Auth;

namespace Orchestrator.Dashboard.Data;

/// <summary>
/// <c>GET /ui/data/runs/{id}/log?after=N</c>: the run's log lines after N in one answer (up to <see cref="MaxLines"/>),
/// as compact rows <c>[id, step, at, text]</c>. The run page reads a long log this way in one round trip instead of a
/// hundred pages of the API's SSE stream, then follows the rest through that stream from the last id.
/// </summary>
public static class RunLogSnapshot
{
    public const int MaxLines = 100_000;

    public static IEndpointRouteBuilder MapRunLogSnapshot(this IEndpointRouteBuilder app)
    {
        app.MapGet("/ui/data/runs/{id:guid}/log", WriteAsync).RequireAuthorization(Auth.DashboardAuth.Policy).ScopedByRun().ExcludeFromDescription();
        return app;
    }

    private static async Task WriteAsync(Guid id, long? after, HttpContext context, NpgsqlDataSource dataSource, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        // Unbuffered: rows are written as they are read, so 50,000 lines never sit in memory as objects.
        var rows = await connection.QueryAsync<Row>(new CommandDefinition("""
            SELECT l.id AS Id, s.name AS Step, l.at AS At, l.text AS Text
            FROM step_logs l JOIN steps s ON s.id = l.step_id
            WHERE s.run_id = @id AND l.id > @after
            ORDER BY l.id
            LIMIT @MaxLines
            """, new { id, after = after ?? 0, MaxLines }, flags: CommandFlags.None, cancellationToken: cancellationToken));
        context.Response.ContentType = "application/json";
        context.Response.Headers.CacheControl = "no-store";
        await using var writer = new Utf8JsonWriter(context.Response.BodyWriter);
        writer.WriteStartObject();
        writer.WriteStartArray("lines");
        var count = 0;
        foreach (var row in rows)
        {
            writer.WriteStartArray();
            writer.WriteNumberValue(row.Id);
            writer.WriteStringValue(row.Step);
            writer.WriteStringValue(DateTime.SpecifyKind(row.At, DateTimeKind.Utc));
            writer.WriteStringValue(row.Text);
            writer.WriteEndArray();
            if (++count % 2000 == 0) await writer.FlushAsync(cancellationToken);
        }
        writer.WriteEndArray();
        writer.WriteBoolean("truncated", count == MaxLines);
        writer.WriteEndObject();
        await writer.FlushAsync(cancellationToken);
    }

    private sealed record Row
    {
        public long Id { get; init; }
        public string Step { get; init; } = "";
        public DateTime At { get; init; }
        public string Text { get; init; } = "";
    }
}
