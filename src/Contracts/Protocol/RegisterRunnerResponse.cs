namespace Contracts.Protocol;

/// <summary>The runner's id and its credential; the credential is shown once and stored hashed by the server.</summary>
public sealed record RegisterRunnerResponse(Guid RunnerId, string Token);
