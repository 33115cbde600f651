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

    /// <summary>Of the environments given (with whether an urgent run waits there), those where a queued run may start
    /// now: an urgent one waits, or a window is open (always, without windows).</summary>
    public static async Task<IReadOnlyList<string>> StartableAsync(
        NpgsqlConnection connection, IReadOnlyList<(string Environment, bool Urgent)> waiting, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var windowed = waiting.Where(w => !w.Urgent).Select(w => w.Environment).ToArray();
        var windows = windowed.Length == 0 ? [] : (await connection.QueryAsync<EnvironmentWindow>(new CommandDefinition(
            $"SELECT environment AS Environment, {Columns} FROM maintenance_windows WHERE environment = ANY (@windowed) ORDER BY environment, ordinal",
            new { windowed }, cancellationToken: cancellationToken))).ToList();
        var calendars = windows.GroupBy(w => w.Environment, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => WindowCalendar.From(g.Select(w => w.ToStored()).ToList()), StringComparer.Ordinal);
        return waiting.Where(w => w.Urgent || !calendars.TryGetValue(w.Environment, out var calendar) || calendar.IsOpen(now))
            .Select(w => w.Environment).ToList();
    }

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

    private sealed record EnvironmentWindow
    {
        public string Environment { get; init; } = "";
        public string TimeZone { get; init; } = "";
        public string? Cron { get; init; }
        public long? DurationSeconds { get; init; }
        public string[]? Days { get; init; }
        public int? StartMinute { get; init; }
        public int? EndMinute { get; init; }

        public StoredWindow ToStored() => new()
        {
            TimeZone = TimeZone, Cron = Cron, DurationSeconds = DurationSeconds, Days = Days, StartMinute = StartMinute, EndMinute = EndMinute,
        };
    }

    private WindowsDto Describe(string environment, IReadOnlyList<StoredWindow> windows)
    {
        var now = time.GetUtcNow();
        var calendar = WindowCalendar.From(windows);
        return new WindowsDto(environment, windows.Select(w => w.ToDto()).ToList(), calendar.IsOpen(now), calendar.NextOpening(now));
    }
}
