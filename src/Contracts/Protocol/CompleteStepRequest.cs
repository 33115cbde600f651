using System.Text.Json.Nodes;

namespace Contracts.Protocol;

/// <summary><c>POST /api/steps/{id}/complete</c>. <see cref="Outcome"/> is <c>succeeded</c>, <c>failed</c>, <c>cancelled</c>
/// or <c>skipped</c> (the work was already done), or
/// <c>inconclusive</c> (an analysis without enough data: the step waits for a person; see <see cref="StepOutcomes"/>). With <see cref="ClaimNext"/>, the answer is the runner's next step
/// (200, a <see cref="StepClaim"/>) when one is ready, else 204: a busy runner saves a claim call per step.</summary>
public sealed record CompleteStepRequest(Guid LeaseToken, string Outcome, JsonObject? Outputs = null, string? Error = null, bool ClaimNext = false);
