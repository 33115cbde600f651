using Quartz;

namespace Orchestrator.Windows;

/// <summary>
/// One window, compiled: its openings come from a Quartz <see cref="CronExpression"/> in the window's zone (a weekly
/// range is the cron expression of its start time on its days), so both kinds follow Quartz's documented daylight
/// saving behaviour (<c>CronExpression.GetTimeAfter</c>): a local time that does not exist (spring-forward gap) opens
/// at the end of the gap, the instant the clocks moved (02:30 over a 02:00-03:00 gap opens at 03:00); a local time
/// that occurs twice (fall-back overlap) opens once, at its first occurrence. A cron window stays open for its
/// duration in elapsed time; a range closes at its end local time, resolved by the same rule, so a range over a night
/// of change is an hour shorter or longer than usual.
/// Immutable, so one instance may be shared between threads.
/// </summary>
public sealed class WindowSchedule
{
    // A range lasts at most a day plus the largest daylight saving shift: an opening further back is closed by now.
    private static readonly TimeSpan LongestRange = TimeSpan.FromHours(26);

    private readonly CronExpression _openings;
    private readonly TimeZoneInfo _zone;
    private readonly TimeSpan? _duration;
    private readonly TimeOnly _start;
    private readonly TimeOnly _end;

    private WindowSchedule(CronExpression openings, TimeZoneInfo zone, TimeSpan? duration, TimeOnly start, TimeOnly end)
    {
        _openings = openings;
        _zone = zone;
        _duration = duration;
        _start = start;
        _end = end;
    }

    public TimeZoneInfo Zone => _zone;

    /// <summary>A window that opens by <paramref name="cron"/> and stays open for <paramref name="duration"/>.</summary>
    public static WindowSchedule Cron(string cron, TimeSpan duration, TimeZoneInfo zone) =>
        new(new CronExpression(cron, zone), zone, duration, default, default);

    /// <summary>A weekly range; <paramref name="days"/> are Quartz's day names (<c>MON</c>), the days it opens on.</summary>
    public static WindowSchedule Range(IReadOnlyCollection<string> days, TimeOnly start, TimeOnly end, TimeZoneInfo zone) =>
        new(new CronExpression($"0 {start.Minute} {start.Hour} ? * {string.Join(',', days)}", zone), zone, null, start, end);

    /// <summary>The first opening after <paramref name="now"/>, null when the expression never fires again.</summary>
    public DateTimeOffset? NextOpening(DateTimeOffset now) => _openings.GetNextValidTimeAfter(now);

    public bool IsOpen(DateTimeOffset now)
    {
        if (_duration is { } duration)
        {
            // Any opening in (now - duration, now] is still open; GetTimeAfter finds the first after the lower bound.
            return _openings.GetNextValidTimeAfter(now - duration) is { } opening && opening <= now;
        }
        for (var opening = _openings.GetNextValidTimeAfter(now - LongestRange); opening is { } o && o <= now; opening = _openings.GetNextValidTimeAfter(o))
        {
            if (ClosingOf(o) > now) return true;
        }
        return false;
    }

    /// <summary>When the range that opened at <paramref name="opening"/> closes.</summary>
    public DateTimeOffset ClosingOf(DateTimeOffset opening)
    {
        if (_duration is { } duration) return opening + duration;
        var openedOn = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(opening, _zone).DateTime);
        var closesOn = _end > _start ? openedOn : openedOn.AddDays(1);
        return Resolve(closesOn.ToDateTime(_end));
    }

    /// <summary>A local time as an instant, by the rule Quartz applies to fire times (see the class summary): the
    /// first occurrence of a repeated time (the larger offset), the end of the gap for a time that does not exist.</summary>
    private DateTimeOffset Resolve(DateTime local)
    {
        if (_zone.IsAmbiguousTime(local)) return new(local, _zone.GetAmbiguousTimeOffsets(local).Max());
        if (!_zone.IsInvalidTime(local)) return new(local, _zone.GetUtcOffset(local));
        // The last valid minute before the gap, plus one minute, is the instant the clocks moved (gaps start on a minute).
        var before = local;
        for (var i = 0; i < 48 * 60 && _zone.IsInvalidTime(before); i++) before = before.AddMinutes(-1);
        return new DateTimeOffset(before, _zone.GetUtcOffset(before)).AddMinutes(1);
    }
}
