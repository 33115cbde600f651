namespace Orchestrator.Windows;

/// <summary>An environment's windows together: open while any one is; without windows, always open.</summary>
public sealed class WindowCalendar(IReadOnlyList<WindowSchedule> windows)
{
    public static WindowCalendar Always { get; } = new([]);

    public static WindowCalendar From(IReadOnlyList<StoredWindow> windows) =>
        windows.Count == 0 ? Always : new WindowCalendar(windows.Select(w => w.ToSchedule()).ToList());

    public bool IsOpen(DateTimeOffset now) => windows.Count == 0 || windows.Any(w => w.IsOpen(now));

    /// <summary>The earliest opening after <paramref name="now"/>, in its window's zone; null without windows or when
    /// none opens again.</summary>
    public WindowOpening? NextOpening(DateTimeOffset now)
    {
        (DateTimeOffset At, TimeZoneInfo Zone)? next = null;
        foreach (var window in windows)
        {
            if (window.NextOpening(now) is { } at && (next is null || at < next.Value.At)) next = (at, window.Zone);
        }
        return next is { } n ? new WindowOpening(TimeZoneInfo.ConvertTime(n.At, n.Zone), n.Zone.Id) : null;
    }

    /// <summary>What a run that is not urgent waits for now: null while a window is open; else the next opening,
    /// whose <see cref="WindowWait.Opening"/> is null when no window opens again.</summary>
    public WindowWait? WaitFor(DateTimeOffset now) => IsOpen(now) ? null : new WindowWait(NextOpening(now));
}
