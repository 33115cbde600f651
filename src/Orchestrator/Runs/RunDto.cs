namespace Orchestrator.Runs;

/// <summary>A run as the API returns it (api.md "Run JSON").</summary>
public sealed record RunDto
{
    public Guid Id { get; init; }
    public string Environment { get; init; } = "";
    public Guid RolloutId { get; init; }
    public int Version { get; init; }
    public string Revision { get; init; } = "";
    public string Status { get; init; } = "";
    public TriggerDto Trigger { get; init; } = new();
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset? StartedAt { get; init; }
    public DateTimeOffset? FinishedAt { get; init; }
    /// <summary>The reason the run failed or was cancelled; while it rolls back, the reason it does.</summary>
    public string? Error { get; init; }
    /// <summary>The canary is being rolled back: the run ends (failed or cancelled) once traffic is back on stable.</summary>
    public bool RollingBack { get; init; }
    /// <summary>Starts without waiting for a maintenance window.</summary>
    public bool Urgent { get; init; }
    /// <summary>For a queued run held by its environment's maintenance windows: <c>maintenance window</c>.</summary>
    public string? WaitingFor { get; init; }
    /// <summary>When the window it waits for opens, with that window's offset; null when none opens again.</summary>
    public DateTimeOffset? StartsAt { get; init; }
    /// <summary>The zone of <see cref="StartsAt"/>'s window (IANA).</summary>
    public string? StartsAtTimeZone { get; init; }
    public IReadOnlyList<StepDto>? Steps { get; init; }
}
