namespace Orchestrator.Windows;

/// <summary><c>PUT /api/environments/{name}/windows</c>: the whole list, replacing what was there; empty clears it.</summary>
public sealed record PutWindowsRequest
{
    public IReadOnlyList<WindowDto>? Windows { get; init; }
}
