namespace Orchestrator.Schedules;

/// <summary>A row of <c>schedules</c>; <see cref="Spec"/> is the rollout spec's JSON (apply only).</summary>
public sealed record ScheduleRow
{
    public Guid Id { get; init; }
    public string Environment { get; init; } = "";
    public string? Description { get; init; }
    public string Cron { get; init; } = "";
    public string TimeZone { get; init; } = "UTC";
    public DateTimeOffset? StartAt { get; init; }
    public DateTimeOffset? EndAt { get; init; }
    public string Misfire { get; init; } = ScheduleActions.MisfireFireOnce;
    public bool Paused { get; init; }
    public string Action { get; init; } = "";
    public string? Spec { get; init; }
    public string? ModelRevision { get; init; }
    public string? CreatedBy { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
}
