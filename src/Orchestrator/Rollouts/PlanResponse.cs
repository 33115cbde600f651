namespace Orchestrator.Rollouts;

/// <summary><c>POST /api/plan</c>: the steps a rollout of this spec would run, and the revision it would get.</summary>
public sealed record PlanResponse(string Environment, string Revision, IReadOnlyList<PlanStepDto> Steps);
