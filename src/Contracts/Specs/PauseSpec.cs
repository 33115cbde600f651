using System.Text.Json.Serialization;

namespace Contracts.Specs;

/// <summary>A canary pause: <c>pause: 30s</c> (timed) or <c>pause: {}</c> (until a user promotes or aborts); also
/// <c>pause: {duration: 30s}</c>.</summary>
[JsonConverter(typeof(PauseSpecConverter))]
public sealed record PauseSpec
{
    /// <summary>Null: until promoted.</summary>
    public string? Duration { get; init; }
}
