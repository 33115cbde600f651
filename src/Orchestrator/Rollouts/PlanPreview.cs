using Orchestrator.Windows;

namespace Orchestrator.Rollouts;

/// <summary>A dry-run plan; <see cref="Errors"/> is set when the spec does not fit the environment; <see cref="Wait"/>
/// when its run would wait for a maintenance window.</summary>
public sealed record PlanPreview(string Environment, string Revision, ValidationErrors? Errors, IReadOnlyList<PlanStepDto> Steps, WindowWait? Wait = null);
