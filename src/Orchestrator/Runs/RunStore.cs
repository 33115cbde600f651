using System.Text.Json.Nodes;
using Dapper;
using Npgsql;
using Orchestrator.Windows;

namespace Orchestrator.Runs;

/// <summary>Reads runs and their steps for the API. "Not found" is a null.</summary>
public sealed class RunStore(NpgsqlDataSource dataSource, TimeProvider time)
{
    private const string RunColumns = """
        r.id AS Id, r.environment AS Environment, r.rollout_id AS RolloutId, ro.version AS Version, ro.revision AS Revision,
        r.status AS Status, r.trigger_kind AS TriggerKind, r.trigger_actor AS TriggerActor, r.trigger_details::text AS TriggerDetails, r.created_at AS CreatedAt,
        r.started_at AS StartedAt, r.finished_at AS FinishedAt, r.error AS Error, r.ending_status IS NOT NULL AND r.status = 'running' AS RollingBack,
        r.urgent AS Urgent
        """;

    public async Task<RunDto?> GetAsync(Guid runId, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await GetAsync(connection, null, runId, cancellationToken, time.GetUtcNow());
    }

    /// <param name="now">When given, a queued run held by a maintenance window says until when (<see cref="RunDto.StartsAt"/>).</param>
    public static async Task<RunDto?> GetAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, Guid runId, CancellationToken cancellationToken, DateTimeOffset? now = null)
    {
        var row = await connection.QuerySingleOrDefaultAsync<RunRow>(new CommandDefinition($"""
            SELECT {RunColumns} FROM runs r JOIN rollouts ro ON ro.id = r.rollout_id WHERE r.id = @runId
            """, new { runId }, transaction, cancellationToken: cancellationToken));
        if (row is null) return null;
        var steps = await connection.QueryAsync<StepRow>(new CommandDefinition("""
            SELECT id AS Id, name AS Name, kind AS Kind, status AS Status, depends_on AS DependsOn, parameters::text AS Parameters,
                   attempt AS Attempt, max_attempts AS MaxAttempts, runner_id AS RunnerId, started_at AS StartedAt,
                   finished_at AS FinishedAt, outputs::text AS Outputs, error AS Error, decided_by AS DecidedBy, decided_at AS DecidedAt,
                   progress::text AS Progress
            FROM steps WHERE run_id = @runId ORDER BY ordinal
            """, new { runId }, transaction, cancellationToken: cancellationToken));
        var run = row.ToDto(steps.Select(s => s.ToDto()).ToList());
        return now is { } at ? await WithWaitAsync(connection, transaction, run, at, [], cancellationToken) : run;
    }

    /// <summary>Newest first; steps omitted.</summary>
    /// <summary>The newest runs, of <paramref name="environments"/> only unless it is null.</summary>
    public async Task<IReadOnlyList<RunDto>> ListAsync(string[]? environments, string? status, int limit, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<RunRow>(new CommandDefinition($"""
            SELECT {RunColumns} FROM runs r JOIN rollouts ro ON ro.id = r.rollout_id
            WHERE (@environments::text[] IS NULL OR r.environment = ANY(@environments))
              AND (@status::text IS NULL OR r.status = @status)
            ORDER BY r.created_at DESC, r.queue_seq DESC
            LIMIT @limit
            """, new { environments, status, limit }, cancellationToken: cancellationToken));
        var runs = new List<RunDto>();
        var calendars = new Dictionary<string, WindowCalendar>(StringComparer.Ordinal);
        var now = time.GetUtcNow();
        foreach (var row in rows) runs.Add(await WithWaitAsync(connection, null, row.ToDto(null), now, calendars, cancellationToken));
        return runs;
    }

    /// <summary>A queued run that is not urgent, in an environment whose windows are all closed, waits for the next
    /// opening (it may wait longer still, behind the run ahead of it).</summary>
    private static async Task<RunDto> WithWaitAsync(
        NpgsqlConnection connection, NpgsqlTransaction? transaction, RunDto run, DateTimeOffset now, Dictionary<string, WindowCalendar> calendars, CancellationToken cancellationToken)
    {
        if (run.Status != Contracts.RunStatuses.Queued || run.Urgent) return run;
        if (!calendars.TryGetValue(run.Environment, out var calendar))
            calendars[run.Environment] = calendar = await WindowStore.CalendarAsync(connection, transaction, run.Environment, cancellationToken);
        if (calendar.WaitFor(now) is not { } wait) return run;
        return run with { WaitingFor = WindowWait.Reason, StartsAt = wait.Opening?.At, StartsAtTimeZone = wait.Opening?.TimeZone };
    }

    private static IReadOnlyDictionary<string, string>? ParseDetails(string json)
    {
        var details = System.Text.Json.JsonSerializer.Deserialize<Dictionary<string, string>>(json);
        return details is null || details.Count == 0 ? null : details;
    }

    private static DateTimeOffset? Utc(DateTime? value) => value is { } v ? new DateTimeOffset(DateTime.SpecifyKind(v, DateTimeKind.Utc)) : null;

    private sealed record RunRow
    {
        public Guid Id { get; init; }
        public string Environment { get; init; } = "";
        public Guid RolloutId { get; init; }
        public int Version { get; init; }
        public string Revision { get; init; } = "";
        public string Status { get; init; } = "";
        public string TriggerKind { get; init; } = "";
        public string? TriggerActor { get; init; }
        public string TriggerDetails { get; init; } = "{}";
        public DateTime CreatedAt { get; init; }
        public DateTime? StartedAt { get; init; }
        public DateTime? FinishedAt { get; init; }
        public string? Error { get; init; }
        public bool RollingBack { get; init; }
        public bool Urgent { get; init; }

        public RunDto ToDto(IReadOnlyList<StepDto>? steps) => new()
        {
            RollingBack = RollingBack, Urgent = Urgent,
            Id = Id, Environment = Environment, RolloutId = RolloutId, Version = Version, Revision = Revision, Status = Status,
            Trigger = new TriggerDto { Kind = TriggerKind, Actor = TriggerActor, Details = ParseDetails(TriggerDetails) },
            CreatedAt = Utc(CreatedAt)!.Value, StartedAt = Utc(StartedAt), FinishedAt = Utc(FinishedAt), Error = Error, Steps = steps,
        };
    }

    private sealed record StepRow
    {
        public Guid Id { get; init; }
        public string Name { get; init; } = "";
        public string Kind { get; init; } = "";
        public string Status { get; init; } = "";
        public string[] DependsOn { get; init; } = [];
        public string Parameters { get; init; } = "{}";
        public int Attempt { get; init; }
        public int MaxAttempts { get; init; }
        public Guid? RunnerId { get; init; }
        public DateTime? StartedAt { get; init; }
        public DateTime? FinishedAt { get; init; }
        public string Outputs { get; init; } = "{}";
        public string? Error { get; init; }
        public string? DecidedBy { get; init; }
        public DateTime? DecidedAt { get; init; }
        public string? Progress { get; init; }

        public StepDto ToDto() => new()
        {
            DecidedBy = DecidedBy, DecidedAt = Utc(DecidedAt),
            Progress = Progress is null ? null : System.Text.Json.JsonSerializer.Deserialize<Contracts.Protocol.StepProgress>(Progress, Contracts.ContractJson.Options),
            Id = Id, Name = Name, Kind = Kind, Status = Status, DependsOn = DependsOn,
            Parameters = JsonNode.Parse(Parameters)!.AsObject(), Attempt = Attempt, MaxAttempts = MaxAttempts, RunnerId = RunnerId,
            StartedAt = Utc(StartedAt), FinishedAt = Utc(FinishedAt), Outputs = JsonNode.Parse(Outputs)!.AsObject(), Error = Error,
        };
    }
}
