namespace Orchestrator.Tests.GitHub;

/// <summary>A deployment status as <see cref="FakeGitHub"/> received it, in arrival order.</summary>
public sealed record ReceivedStatus(long DeploymentId, string State, string? LogUrl, string? EnvironmentUrl, string? Description, bool? AutoInactive);
