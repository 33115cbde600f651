namespace Orchestrator.GitHub;

/// <summary>The GitHub deployment a run reports to: a ref of a repository, in one of our environments.</summary>
public sealed record Deployment(string Repository, string Ref, string Environment, long? InstallationId);
