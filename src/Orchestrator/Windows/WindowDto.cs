namespace Orchestrator.Windows;

/// <summary>
/// One maintenance window as the API reads and writes it: either <see cref="Cron"/> (a Quartz cron expression for the
/// opening, seconds first) and <see cref="Duration"/>, or a weekly range of <see cref="Days"/> (the days it opens on),
/// <see cref="Start"/> and <see cref="End"/> (<c>HH:mm</c>; an end at or before the start is on the next day). Times
/// are read in <see cref="TimeZone"/>, an IANA name.
/// </summary>
public sealed record WindowDto
{
    public string? Cron { get; init; }
    public string? Duration { get; init; }
    public IReadOnlyList<string>? Days { get; init; }
    public string? Start { get; init; }
    public string? End { get; init; }
    public string? TimeZone { get; init; }
}
