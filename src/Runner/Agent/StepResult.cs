using System.Text.Json.Nodes;
using Contracts;

namespace Runner.Agent;

/// <summary>What a step's work came to; becomes the completion call.</summary>
internal sealed record StepResult(string Outcome, JsonObject? Outputs = null, string? Error = null)
{
    public static StepResult Succeeded(JsonObject? outputs = null) => new(StepStatuses.Succeeded, outputs);

    public static StepResult Skipped(JsonObject? outputs = null) => new(StepStatuses.Skipped, outputs);

    /// <summary>Not enough data to decide (an analysis): the step waits for a person to promote or abort.</summary>
    public static StepResult Inconclusive(string reason, JsonObject? outputs = null) => new(StepOutcomes.Inconclusive, outputs, reason);

    public static StepResult Failed(string error, JsonObject? outputs = null) => new(StepStatuses.Failed, outputs, error);
}
