using Dapper;
using Npgsql;
using Orchestrator.Dispatch;
using Orchestrator.Persistence;

namespace Orchestrator.Windows;

/// <summary>Reads and replaces an environment's maintenance windows. "Not found" (no such environment) is a null.</summary>
public sealed class WindowStore(Database database, RunProgress progress, TimeProvider time)
{
    private const string Columns = """
        time_zone AS TimeZone, cron AS Cron, duration_seconds AS DurationSeconds, days AS Days, start_minute AS StartMinute, end_minute AS EndMinute
        """;

    /// <summary>The environment's windows in their order; empty without windows.</summary>
    public static async Task<IReadOnlyList<StoredWindow>> ListAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, string environment, CancellationToken cancellationToken) =>
        (await connection.QueryAsync<StoredWindow>(new CommandDefinition(
            $"SELECT {Columns} FROM maintenance_windows WHERE environment = @environment ORDER BY ordinal",
            new { environment }, transaction, cancellationToken: cancellationToken))).ToList();

    public static async Task<WindowCalendar> CalendarAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, string environment, CancellationToken cancellationToken) =>
        WindowCalendar.From(await ListAsync(connection, transaction, environment, cancellationToken));

    public async Task<WindowsDto?> GetAsync(string environment, CancellationToken cancellationToken)
    {
        await using var connection = await database.DataSource.OpenConnectionAsync(cancellationToken);
        var exists = await connection.ExecuteScalarAsync<bool>(new CommandDefinition(
            "SELECT EXISTS (SELECT 1 FROM environments WHERE name = @environment)", new { environment }, cancellationToken: cancellationToken));
        if (!exists) return null;
        return Describe(environment, await ListAsync(connection, null, environment, cancellationToken));
    }

    /// <summary>Replaces the list under the environment's row lock, then starts a run that the new list lets start.</summary>
    public async Task<WindowsDto?> ReplaceAsync(string environment, IReadOnlyList<StoredWindow> windows, CancellationToken cancellationToken)
    {
        var result = await database.InTransactionAsync(async (connection, transaction) =>
        {
            var locked = await connection.QuerySingleOrDefaultAsync<string?>(new CommandDefinition(
                "SELECT name FROM environments WHERE name = @environment FOR UPDATE", new { environment }, transaction, cancellationToken: cancellationToken));
            if (locked is null) return null;
            await connection.ExecuteAsync(new CommandDefinition(
                "DELETE FROM maintenance_windows WHERE environment = @environment", new { environment }, transaction, cancellationToken: cancellationToken));
            await connection.ExecuteAsync(new CommandDefinition("""
                INSERT INTO maintenance_windows (environment, ordinal, time_zone, cron, duration_seconds, days, start_minute, end_minute)
                VALUES (@environment, @Ordinal, @TimeZone, @Cron, @DurationSeconds, @Days, @StartMinute, @EndMinute)
                """, windows.Select((w, i) => new { environment, Ordinal = i, w.TimeZone, w.Cron, w.DurationSeconds, w.Days, w.StartMinute, w.EndMinute }).ToList(),
                transaction, cancellationToken: cancellationToken));
            await progress.AdvanceQueueAsync(connection, transaction, environment, time.GetUtcNow(), cancellationToken);
            return Describe(environment, windows);
        }, cancellationToken);
        progress.PulseLocal();
        return result;
    }

    private WindowsDto Describe(string environment, IReadOnlyList<StoredWindow> windows)
    {
        var now = time.GetUtcNow();
        var calendar = WindowCalendar.From(windows);
        return new WindowsDto(environment, windows.Select(w => w.ToDto()).ToList(), calendar.IsOpen(now), calendar.NextOpening(now));
    }
}
