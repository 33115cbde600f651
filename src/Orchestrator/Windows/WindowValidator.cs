using System.Globalization;
using Contracts.Specs;
using Orchestrator.Rollouts;
using Quartz;

namespace Orchestrator.Windows;

/// <summary>Checks a PUT's windows field by field (<c>windows[0].timeZone</c>) and turns them into rows.</summary>
public static class WindowValidator
{
    public const int MaxWindows = 50;

    private static readonly string[] Week = ["MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN"];

    private static readonly Dictionary<string, string> DayNames = new(StringComparer.OrdinalIgnoreCase)
    {
        ["mon"] = "MON", ["monday"] = "MON", ["tue"] = "TUE", ["tuesday"] = "TUE", ["wed"] = "WED", ["wednesday"] = "WED",
        ["thu"] = "THU", ["thursday"] = "THU", ["fri"] = "FRI", ["friday"] = "FRI", ["sat"] = "SAT", ["saturday"] = "SAT",
        ["sun"] = "SUN", ["sunday"] = "SUN",
    };

    /// <summary>The rows to store, or null with <paramref name="errors"/> filled.</summary>
    public static IReadOnlyList<StoredWindow>? Validate(PutWindowsRequest request, DateTimeOffset now, ValidationErrors errors)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(errors);
        if (request.Windows is not { } windows)
        {
            errors.Add("windows", "Required: the list of windows (empty to remove them all).");
            return null;
        }
        if (windows.Count > MaxWindows) errors.Add("windows", $"At most {MaxWindows} windows.");
        var rows = new List<StoredWindow>();
        for (var i = 0; i < windows.Count; i++)
        {
            if (Validate(windows[i], $"windows[{i}]", now, errors) is { } row) rows.Add(row);
        }
        return errors.IsEmpty ? rows : null;
    }

    private static StoredWindow? Validate(WindowDto? window, string path, DateTimeOffset now, ValidationErrors errors)
    {
        if (window is null)
        {
            errors.Add(path, "Must be an object.");
            return null;
        }
        var zone = Zone(window.TimeZone, $"{path}.timeZone", errors);
        var isCron = window.Cron is not null || window.Duration is not null;
        var isRange = window.Days is not null || window.Start is not null || window.End is not null;
        if (isCron == isRange)
        {
            errors.Add(path, isCron
                ? "Give either cron and duration, or days, start and end: not both."
                : "Give cron and duration (a Quartz cron expression for the opening), or days, start and end (a weekly range).");
            return null;
        }
        return isCron ? Cron(window, path, zone, now, errors) : Range(window, path, zone, errors);
    }

    private static StoredWindow? Cron(WindowDto window, string path, TimeZoneInfo? zone, DateTimeOffset now, ValidationErrors errors)
    {
        CronExpression? cron = null;
        if (string.IsNullOrWhiteSpace(window.Cron)) errors.Add($"{path}.cron", "Required with duration: a Quartz cron expression such as '0 0 22 ? * SAT'.");
        else
        {
            try
            {
                cron = new CronExpression(window.Cron, zone ?? TimeZoneInfo.Utc);
            }
            catch (FormatException ex)
            {
                errors.Add($"{path}.cron", $"Not a Quartz cron expression (seconds minutes hours day-of-month month day-of-week [year]): {ex.Message}");
            }
        }
        if (!Durations.TryParse(window.Duration, out var duration) || duration <= TimeSpan.Zero)
            errors.Add($"{path}.duration", "Required with cron: how long the window stays open, such as '4h' or '1h30m'.");
        if (cron is null || zone is null || duration <= TimeSpan.Zero) return null;
        if (cron.GetNextValidTimeAfter(now) is null)
        {
            errors.Add($"{path}.cron", "Never fires again.");
            return null;
        }
        return new StoredWindow { TimeZone = zone.Id, Cron = window.Cron, DurationSeconds = (long)duration.TotalSeconds };
    }

    private static StoredWindow? Range(WindowDto window, string path, TimeZoneInfo? zone, ValidationErrors errors)
    {
        var days = new HashSet<string>(StringComparer.Ordinal);
        var valid = zone is not null;
        if (window.Days is not { Count: > 0 })
        {
            errors.Add($"{path}.days", "Required with start and end: the days the window opens on, such as ['sat', 'sun'].");
            valid = false;
        }
        else
        {
            for (var j = 0; j < window.Days.Count; j++)
            {
                if (window.Days[j] is { } name && DayNames.TryGetValue(name, out var day)) days.Add(day);
                else
                {
                    errors.Add($"{path}.days[{j}]", "Not a day: use mon, tue, wed, thu, fri, sat or sun.");
                    valid = false;
                }
            }
        }
        var start = Time(window.Start, $"{path}.start", errors);
        var end = Time(window.End, $"{path}.end", errors);
        if (start is not { } s || end is not { } e || !valid) return null;
        if (s == e)
        {
            errors.Add($"{path}.end", "Must differ from start (an environment without windows is always open).");
            return null;
        }
        return new StoredWindow { TimeZone = zone!.Id, Days = Week.Where(days.Contains).ToArray(), StartMinute = s.Hour * 60 + s.Minute, EndMinute = e.Hour * 60 + e.Minute };
    }

    private static TimeOnly? Time(string? text, string path, ValidationErrors errors)
    {
        if (TimeOnly.TryParseExact(text, "HH:mm", CultureInfo.InvariantCulture, DateTimeStyles.None, out var time)) return time;
        errors.Add(path, "Required: a local time as HH:mm, such as '22:00'.");
        return null;
    }

    private static TimeZoneInfo? Zone(string? id, string path, ValidationErrors errors)
    {
        if (string.IsNullOrWhiteSpace(id))
        {
            errors.Add(path, "Required: an IANA time zone such as 'Europe/Paris' or 'UTC'.");
            return null;
        }
        try
        {
            var zone = TimeZoneInfo.FindSystemTimeZoneById(id);
            if (zone.HasIanaId) return zone;
        }
        catch (TimeZoneNotFoundException)
        {
        }
        catch (InvalidTimeZoneException)
        {
        }
        errors.Add(path, $"'{id}' is not an IANA time zone known here (such as 'Europe/Paris' or 'America/New_York').");
        return null;
    }
}
