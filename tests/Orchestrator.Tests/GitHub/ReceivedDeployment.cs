namespace Orchestrator.Tests.GitHub;

/// <summary>A deployment as <see cref="FakeGitHub"/> received it.</summary>
public sealed record ReceivedDeployment(long Id, string Repository, string Ref, string Environment, bool? AutoMerge);
