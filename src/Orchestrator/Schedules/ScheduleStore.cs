using Dapper;
using Npgsql;

namespace Orchestrator.Schedules;

/// <summary>The <c>schedules</c> and <c>schedule_fires</c> rows. "Not found" is a null or false.</summary>
public sealed class ScheduleStore(NpgsqlDataSource dataSource)
{
    private const string Columns = """
        id AS Id, environment AS Environment, description AS Description, cron AS Cron, time_zone AS TimeZone,
        starts_at AS StartAt, ends_at AS EndAt, misfire AS Misfire, paused AS Paused, action AS Action, spec::text AS Spec,
        model_revision AS ModelRevision, created_by AS CreatedBy, created_at AS CreatedAt
        """;

    public async Task InsertAsync(ScheduleRow schedule, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition("""
            INSERT INTO schedules (id, environment, description, cron, time_zone, starts_at, ends_at, misfire, paused, action, spec,
                                   model_revision, created_by, created_at, updated_at)
            VALUES (@Id, @Environment, @Description, @Cron, @TimeZone, @StartAt, @EndAt, @Misfire, @Paused, @Action, CAST(@Spec AS jsonb),
                    @ModelRevision, @CreatedBy, @CreatedAt, @CreatedAt)
            """, schedule, cancellationToken: cancellationToken));
    }

    public async Task<ScheduleRow?> GetAsync(Guid id, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<DbRow>(new CommandDefinition(
            $"SELECT {Columns} FROM schedules WHERE id = @id", new { id }, cancellationToken: cancellationToken));
        return row?.ToSchedule();
    }

    public async Task<IReadOnlyList<ScheduleRow>> ListAsync(string? environment, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<DbRow>(new CommandDefinition(
            $"SELECT {Columns} FROM schedules WHERE (@environment::text IS NULL OR environment = @environment) ORDER BY environment, created_at",
            new { environment }, cancellationToken: cancellationToken));
        return rows.Select(r => r.ToSchedule()).ToList();
    }

    public async Task<bool> SetPausedAsync(Guid id, bool paused, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE schedules SET paused = @paused, updated_at = @now WHERE id = @id", new { id, paused, now }, cancellationToken: cancellationToken)) > 0;
    }

    public async Task<bool> DeleteAsync(Guid id, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.ExecuteAsync(new CommandDefinition(
            "DELETE FROM schedules WHERE id = @id", new { id }, cancellationToken: cancellationToken)) > 0;
    }

    public async Task<IReadOnlyList<ScheduleFireDto>> LastFiresAsync(Guid id, int limit, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<FireRow>(new CommandDefinition("""
            SELECT fire_time AS FireTime, fired_at AS FiredAt, run_id AS RunId, outcome AS Outcome
            FROM schedule_fires WHERE schedule_id = @id ORDER BY fire_time DESC LIMIT @limit
            """, new { id, limit }, cancellationToken: cancellationToken));
        return rows.Select(r => new ScheduleFireDto(Utc(r.FireTime), Utc(r.FiredAt), r.RunId, r.Outcome)).ToList();
    }

    /// <summary>Records a fire time that started nothing (and why); false when that fire time was recorded already.</summary>
    public static async Task<bool> RecordFireAsync(
        NpgsqlConnection connection, NpgsqlTransaction? transaction, Guid id, DateTimeOffset fireTime, DateTimeOffset now, Guid? runId, string outcome)
    {
        return await connection.ExecuteAsync(new CommandDefinition("""
            INSERT INTO schedule_fires (schedule_id, fire_time, fired_at, run_id, outcome)
            SELECT @id, @fireTime, @now, @runId, @outcome WHERE EXISTS (SELECT 1 FROM schedules WHERE id = @id)
            ON CONFLICT (schedule_id, fire_time) DO NOTHING
            """, new { id, fireTime, now, runId, outcome }, transaction)) > 0;
    }

    public async Task CountDuplicateAsync(Guid id, DateTimeOffset fireTime, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE schedule_fires SET duplicates = duplicates + 1 WHERE schedule_id = @id AND fire_time = @fireTime",
            new { id, fireTime }, cancellationToken: cancellationToken));
    }

    public async Task RecordOutcomeAsync(Guid id, DateTimeOffset fireTime, DateTimeOffset now, string outcome, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        if (!await RecordFireAsync(connection, null, id, fireTime, now, null, outcome))
            await CountDuplicateAsync(id, fireTime, cancellationToken);
    }

    private static DateTimeOffset Utc(DateTime value) => new(DateTime.SpecifyKind(value, DateTimeKind.Utc));

    private sealed record FireRow
    {
        public DateTime FireTime { get; init; }
        public DateTime FiredAt { get; init; }
        public Guid? RunId { get; init; }
        public string Outcome { get; init; } = "";
    }

    private sealed record DbRow
    {
        public Guid Id { get; init; }
        public string Environment { get; init; } = "";
        public string? Description { get; init; }
        public string Cron { get; init; } = "";
        public string TimeZone { get; init; } = "";
        public DateTime? StartAt { get; init; }
        public DateTime? EndAt { get; init; }
        public string Misfire { get; init; } = "";
        public bool Paused { get; init; }
        public string Action { get; init; } = "";
        public string? Spec { get; init; }
        public string? ModelRevision { get; init; }
        public string? CreatedBy { get; init; }
        public DateTime CreatedAt { get; init; }

        public ScheduleRow ToSchedule() => new()
        {
            Id = Id, Environment = Environment, Description = Description, Cron = Cron, TimeZone = TimeZone,
            StartAt = StartAt is { } s ? Utc(s) : null, EndAt = EndAt is { } e ? Utc(e) : null, Misfire = Misfire, Paused = Paused,
            Action = Action, Spec = Spec, ModelRevision = ModelRevision, CreatedBy = CreatedBy, CreatedAt = Utc(CreatedAt),
        };
    }
}
