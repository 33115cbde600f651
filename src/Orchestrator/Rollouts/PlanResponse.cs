using Orchestrator.Costs;

namespace Orchestrator.Rollouts;

/// <summary><c>POST /api/plan</c>: the steps a rollout of this spec would run, and the revision it would get.
/// <see cref="StartsAt"/> (null: now, or when the run ahead ends) and <see cref="StartsAtTimeZone"/> say when its run
/// would start while <see cref="WaitingFor"/> is <c>maintenance window</c>. <see cref="Cost"/> is the TPU estimate of a
/// <c>gke</c> spec (null for other targets); <see cref="Warnings"/> are what to read before applying (empty: none). <see cref="Autoscaling"/> is what
/// <c>engine.autoscaling</c> does on the target (null: a fixed replica count).</summary>
public sealed record PlanResponse(
    string Environment, string Revision, IReadOnlyList<PlanStepDto> Steps,
    DateTimeOffset? StartsAt = null, string? StartsAtTimeZone = null, string? WaitingFor = null,
    CostEstimate? Cost = null, IReadOnlyList<string>? Warnings = null, AutoscalingPlan? Autoscaling = null);
