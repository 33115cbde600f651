namespace Orchestrator.Auth;

public sealed record TokenRecord
{
    public Guid Id { get; init; }
    public string Kind { get; init; } = "";
    public string Name { get; init; } = "";
    public Guid? RunnerId { get; init; }

    /// <summary>The runner's labels, for a runner token; empty otherwise.</summary>
    public string[] Labels { get; init; } = [];

    /// <summary>A user token's role (<see cref="Roles"/>); null for the other kinds.</summary>
    public string? Role { get; init; }

    /// <summary>The environments a user token is limited to; null when it may act on every environment.</summary>
    public string[]? Environments { get; init; }

    public DateTimeOffset? ExpiresAt { get; init; }
}
