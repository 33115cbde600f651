namespace Orchestrator.Runs;

/// <summary>Whose lines to read: a whole run's, or one step's.</summary>
public sealed record LogScope(Guid? RunId, Guid? StepId);
