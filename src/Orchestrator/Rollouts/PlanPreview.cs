namespace Orchestrator.Rollouts;

/// <summary>A dry-run plan; <see cref="Errors"/> is set when the spec does not fit the environment.</summary>
public sealed record PlanPreview(string Environment, string Revision, ValidationErrors? Errors, IReadOnlyList<PlanStepDto> Steps);
