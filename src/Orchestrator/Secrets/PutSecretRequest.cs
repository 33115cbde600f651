namespace Orchestrator.Secrets;

/// <summary>Body of <c>PUT /api/secrets/{name}</c>.</summary>
public sealed record PutSecretRequest
{
    public string? Value { get; init; }
}
