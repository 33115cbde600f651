using Contracts.Specs;

namespace Orchestrator.Schedules;

/// <summary><c>POST /api/schedules</c>. <see cref="Cron"/> is a Quartz cron expression (seconds first:
/// <c>0 0 22 ? * MON-FRI</c>) read in <see cref="TimeZone"/> (an IANA name, default UTC).</summary>
public sealed record ScheduleRequest
{
    public string? Environment { get; init; }
    public string? Description { get; init; }
    public string? Cron { get; init; }
    public string? TimeZone { get; init; }
    public DateTimeOffset? StartAt { get; init; }
    public DateTimeOffset? EndAt { get; init; }
    public string? Misfire { get; init; }
    public bool? Paused { get; init; }
    public string? Action { get; init; }

    /// <summary>For <c>apply</c>: the rollout spec; its <c>model.source</c> may hold <c>{revision}</c>.</summary>
    public RolloutSpec? Spec { get; init; }

    /// <summary>For <c>apply</c>: what fills <c>{revision}</c> in the spec's model source.</summary>
    public string? ModelRevision { get; init; }
}
