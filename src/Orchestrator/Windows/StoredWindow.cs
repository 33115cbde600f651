using System.Globalization;

namespace Orchestrator.Windows;

/// <summary>A window as a row of <c>maintenance_windows</c>: cron and duration, or days, start and end.</summary>
public sealed record StoredWindow
{
    public string TimeZone { get; init; } = "";
    public string? Cron { get; init; }
    public long? DurationSeconds { get; init; }
    public string[]? Days { get; init; }
    public int? StartMinute { get; init; }
    public int? EndMinute { get; init; }

    public WindowSchedule ToSchedule()
    {
        var zone = TimeZoneInfo.FindSystemTimeZoneById(TimeZone);
        return Cron is { } cron
            ? WindowSchedule.Cron(cron, TimeSpan.FromSeconds(DurationSeconds!.Value), zone)
            : WindowSchedule.Range(Days!, TimeOnly.FromTimeSpan(TimeSpan.FromMinutes(StartMinute!.Value)), TimeOnly.FromTimeSpan(TimeSpan.FromMinutes(EndMinute!.Value)), zone);
    }

    public WindowDto ToDto() => Cron is not null
        ? new WindowDto { Cron = Cron, Duration = FormatDuration(DurationSeconds!.Value), TimeZone = TimeZone }
        : new WindowDto { Days = Days!.Select(d => d.ToLowerInvariant()).ToList(), Start = FormatMinute(StartMinute!.Value), End = FormatMinute(EndMinute!.Value), TimeZone = TimeZone };

    private static string FormatMinute(int minute) => $"{minute / 60:00}:{minute % 60:00}";

    /// <summary>In the spec's duration syntax (<c>1h30m</c>), so that what GET answers can be PUT back.</summary>
    private static string FormatDuration(long seconds)
    {
        var text = "";
        foreach (var (unit, size) in new[] { ("d", 86400L), ("h", 3600L), ("m", 60L), ("s", 1L) })
        {
            if (seconds < size) continue;
            text += (seconds / size).ToString(CultureInfo.InvariantCulture) + unit;
            seconds %= size;
        }
        return text;
    }
}
