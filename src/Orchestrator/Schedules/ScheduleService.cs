using System.Text.Json;
using Contracts;
using Contracts.Specs;
using Dapper;
using Npgsql;
using Orchestrator.Rollouts;
using Quartz;

namespace Orchestrator.Schedules;

/// <summary>
/// A schedule is a row (what users see) and a Quartz trigger (what fires). The row is written first and the trigger
/// second; a crash between the two is mended by <see cref="ScheduleSync"/> at start, and a trigger whose row is gone
/// removes itself when it fires (<see cref="ScheduledRuns"/>).
/// </summary>
public sealed class ScheduleService(ScheduleStore store, NpgsqlDataSource dataSource, ISchedulerFactory schedulers, TimeProvider time)
{
    public const int ShownFireTimes = 5;

    public sealed record CreateResult(ScheduleDto? Schedule, ValidationErrors? Invalid);

    public async Task<CreateResult> CreateAsync(ScheduleRequest request, string? createdBy, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var errors = ScheduleValidator.Validate(request, now);
        if (errors.IsEmpty) await CheckEnvironmentAsync(request, errors, cancellationToken);
        if (!errors.IsEmpty) return new CreateResult(null, errors);

        var schedule = new ScheduleRow
        {
            Id = Guid.NewGuid(), Environment = request.Environment!, Description = request.Description, Cron = request.Cron!.Trim(),
            TimeZone = request.TimeZone ?? "UTC", StartAt = request.StartAt?.ToUniversalTime(), EndAt = request.EndAt?.ToUniversalTime(),
            Misfire = request.Misfire ?? ScheduleActions.MisfireFireOnce, Paused = request.Paused ?? false, Action = request.Action!,
            Spec = request.Spec is { } spec ? JsonSerializer.Serialize(spec with { Environment = request.Environment! }, ContractJson.Options) : null,
            ModelRevision = request.ModelRevision, CreatedBy = createdBy, CreatedAt = now,
        };
        if (ScheduleTriggers.NextFireTimes(schedule, now, 1).Count == 0)
        {
            errors.Add("cron", "The schedule would never fire (no fire time before endAt).");
            return new CreateResult(null, errors);
        }
        await store.InsertAsync(schedule, cancellationToken);
        try
        {
            await ScheduleTriggerAsync(schedule, cancellationToken);
        }
        catch
        {
            await store.DeleteAsync(schedule.Id, CancellationToken.None);
            throw;
        }
        return new CreateResult(await ShowAsync(schedule, withFires: false, cancellationToken), null);
    }

    /// <summary>Adds the schedule's trigger (paused when the schedule is); false when it was there already.</summary>
    public async Task<bool> ScheduleTriggerAsync(ScheduleRow schedule, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(schedule);
        var scheduler = await schedulers.GetScheduler(cancellationToken);
        try
        {
            await scheduler.ScheduleTrigger(ScheduleTriggers.Build(schedule, time.GetUtcNow()), TriggerConflict.Throw, cancellationToken);
        }
        catch (ObjectAlreadyExistsException)
        {
            return false;
        }
        if (schedule.Paused) await scheduler.PauseTrigger(ScheduleTriggers.KeyOf(schedule.Id), cancellationToken);
        return true;
    }

    public async Task<IReadOnlyList<ScheduleDto>> ListAsync(string? environment, CancellationToken cancellationToken)
    {
        var rows = await store.ListAsync(environment, cancellationToken);
        var shown = new List<ScheduleDto>(rows.Count);
        foreach (var row in rows) shown.Add(await ShowAsync(row, withFires: false, cancellationToken));
        return shown;
    }

    public async Task<ScheduleDto?> GetAsync(Guid id, CancellationToken cancellationToken) =>
        await store.GetAsync(id, cancellationToken) is { } row ? await ShowAsync(row, withFires: true, cancellationToken) : null;

    /// <summary>Pauses or resumes; a resumed trigger whose fire time passed meanwhile follows its misfire policy.</summary>
    public async Task<ScheduleDto?> SetPausedAsync(Guid id, bool paused, CancellationToken cancellationToken)
    {
        if (!await store.SetPausedAsync(id, paused, time.GetUtcNow(), cancellationToken)) return null;
        var scheduler = await schedulers.GetScheduler(cancellationToken);
        var key = ScheduleTriggers.KeyOf(id);
        if (paused) await scheduler.PauseTrigger(key, cancellationToken);
        else await scheduler.ResumeTrigger(key, cancellationToken);
        return await GetAsync(id, cancellationToken);
    }

    public async Task<bool> DeleteAsync(Guid id, CancellationToken cancellationToken)
    {
        var scheduler = await schedulers.GetScheduler(cancellationToken);
        await scheduler.UnscheduleJob(ScheduleTriggers.KeyOf(id), cancellationToken);
        return await store.DeleteAsync(id, cancellationToken);
    }

    private async Task<ScheduleDto> ShowAsync(ScheduleRow row, bool withFires, CancellationToken cancellationToken) => new()
    {
        Id = row.Id, Environment = row.Environment, Description = row.Description, Cron = row.Cron, TimeZone = row.TimeZone,
        StartAt = row.StartAt, EndAt = row.EndAt, Misfire = row.Misfire, Paused = row.Paused, Action = row.Action,
        Spec = row.Spec is { } spec ? JsonSerializer.Deserialize<RolloutSpec>(spec, ContractJson.Options) : null,
        ModelRevision = row.ModelRevision, CreatedBy = row.CreatedBy, CreatedAt = row.CreatedAt,
        NextFireTimes = row.Paused ? [] : ScheduleTriggers.NextFireTimes(row, time.GetUtcNow(), ShownFireTimes),
        LastFires = withFires ? await store.LastFiresAsync(row.Id, 20, cancellationToken) : null,
    };

    private async Task CheckEnvironmentAsync(ScheduleRequest request, ValidationErrors errors, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var kind = await connection.QuerySingleOrDefaultAsync<string?>(new CommandDefinition(
            "SELECT target_kind FROM environments WHERE name = @Environment", new { request.Environment }, cancellationToken: cancellationToken));
        if (kind is null)
        {
            errors.Add("environment", $"Environment '{request.Environment}' does not exist (create it with PUT /api/environments/{{name}}).");
            return;
        }
        if (request.Action == ScheduleActions.Teardown && kind != TargetKinds.Gke)
            errors.Add("action", $"Environment '{request.Environment}' has target kind '{kind}': teardown deletes gke resources only.");
        if (request.Spec is { } spec && spec.Target.Kind != kind)
            errors.Add("spec.target.kind", $"Environment '{request.Environment}' has target kind '{kind}', not '{spec.Target.Kind}'.");
        if (request.Spec is { } withSecrets)
            foreach (var (field, message) in await Secrets.SecretStore.MissingAsync(connection, null, SpecSecrets.Of(withSecrets), cancellationToken))
                errors.Add("spec." + field, message);
    }
}
