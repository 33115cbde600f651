namespace Orchestrator.Windows;

/// <summary>When a window opens: <see cref="At"/> carries the offset of <see cref="TimeZone"/> at that instant, so that
/// its local time reads as the window's.</summary>
public sealed record WindowOpening(DateTimeOffset At, string TimeZone);
