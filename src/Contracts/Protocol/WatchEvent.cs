using System.Text.Json.Nodes;

namespace Contracts.Protocol;

/// <summary>Something a watch's holder did to its environment (<see cref="Kind"/> <c>scaled</c>: the autoscaler changed
/// the stable revision's replicas; <see cref="Details"/> has <c>revision</c>, <c>from</c>, <c>to</c>, <c>metric</c>,
/// <c>value</c>, <c>target</c>). Fenced by <see cref="WatchToken"/> like a sample.</summary>
public sealed record WatchEvent
{
    public const string Scaled = "scaled";

    public string Environment { get; init; } = "";
    public Guid WatchToken { get; init; }
    public string Kind { get; init; } = "";
    public DateTimeOffset At { get; init; }
    public JsonObject Details { get; init; } = new();
}
