namespace Orchestrator.Environments;

/// <summary>
/// <c>{"interval": "30s", "notify": ["https://hooks.example.com/models"]}</c>: how often the environment is probed
/// while it serves, and where its status changes and rollbacks are POSTed (signed; see the README's Health section).
/// </summary>
public sealed record HealthSettings
{
    public const int DefaultIntervalSeconds = 30;

    public string? Interval { get; init; }
    public IReadOnlyList<string>? Notify { get; init; }
}
