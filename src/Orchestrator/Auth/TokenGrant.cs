namespace Orchestrator.Auth;

/// <summary>What a new token may do: its kind, a user token's role and environments (null: all), and when it expires.</summary>
public sealed record TokenGrant(string Kind, string Name, string? Role, string[]? Environments, DateTimeOffset? ExpiresAt, string? CreatedBy);

/// <summary>A token just issued: the only moment its value is known.</summary>
public sealed record IssuedToken(Guid Id, string Token);
