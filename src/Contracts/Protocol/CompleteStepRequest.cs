using System.Text.Json.Nodes;

namespace Contracts.Protocol;

/// <summary><c>POST /api/steps/{id}/complete</c>. <see cref="Outcome"/> is <c>succeeded</c>, <c>failed</c>, <c>cancelled</c>
/// or <c>skipped</c> (the work was already done).</summary>
public sealed record CompleteStepRequest(Guid LeaseToken, string Outcome, JsonObject? Outputs = null, string? Error = null);
