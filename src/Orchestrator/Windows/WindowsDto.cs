namespace Orchestrator.Windows;

/// <summary>An environment's windows and where it stands now: <see cref="Open"/> (always, without windows) and the
/// next time a window opens (null without windows).</summary>
public sealed record WindowsDto(string Environment, IReadOnlyList<WindowDto> Windows, bool Open, WindowOpening? NextOpening);
