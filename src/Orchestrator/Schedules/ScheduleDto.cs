using Contracts.Specs;

namespace Orchestrator.Schedules;

/// <summary>A schedule as the API shows it: its next fire times (none while paused or past its end) and, for one
/// schedule, what its latest fires did.</summary>
public sealed record ScheduleDto
{
    public Guid Id { get; init; }
    public string Environment { get; init; } = "";
    public string? Description { get; init; }
    public string Cron { get; init; } = "";
    public string TimeZone { get; init; } = "UTC";
    public DateTimeOffset? StartAt { get; init; }
    public DateTimeOffset? EndAt { get; init; }
    public string Misfire { get; init; } = "";
    public bool Paused { get; init; }
    public string Action { get; init; } = "";
    public RolloutSpec? Spec { get; init; }
    public string? ModelRevision { get; init; }
    public string? CreatedBy { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
    public IReadOnlyList<DateTimeOffset> NextFireTimes { get; init; } = [];
    public IReadOnlyList<ScheduleFireDto>? LastFires { get; init; }
}

/// <summary>One fire time and what it did: <c>started</c> (with the run) or why it started nothing.</summary>
public sealed record ScheduleFireDto(DateTimeOffset FireTime, DateTimeOffset FiredAt, Guid? RunId, string Outcome);
