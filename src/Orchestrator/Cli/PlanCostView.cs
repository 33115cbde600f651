using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;

namespace Orchestrator.Cli;

/// <summary>The human rendering of a plan's TPU estimate (<c>cost</c>), its <c>autoscaling</c> and its <c>warnings</c>, printed above the step
/// table so that they are read before the manifests scroll them away.</summary>
public static class PlanCostView
{
    public static string Render(JsonNode? plan)
    {
        var text = new StringBuilder();
        if (plan?["cost"] is JsonObject cost)
        {
            var currency = Json.Str(cost, "currency");
            text.Append($"tpu: {Json.Str(cost, "chips")} chips ({Json.Str(cost, "basis")}), {Number(cost, "chipHoursPerHour")} chip-hours per hour");
            text.Append(cost["ttlHours"] is null ? ", no teardownAfter\n" : $", {Number(cost, "chipHoursUntilTtl")} until teardownAfter ({Number(cost, "ttlHours")} h)\n");
            text.Append($"cost: ~{Money(cost, "estimatedPerHour", currency)} per hour");
            if (cost["estimatedUntilTtl"] is not null) text.Append($", ~{Money(cost, "estimatedUntilTtl", currency)} until teardownAfter");
            text.Append($" at {Money(cost, "pricePerChipHour", currency)} per chip-hour ({Json.Str(cost, "priceSource")})\n");
        }
        if (plan?["autoscaling"] is JsonObject scaling)
        {
            text.Append($"autoscaling: {Json.Str(scaling, "minReplicas")}-{Json.Str(scaling, "maxReplicas")} replicas (starting at {Json.Str(scaling, "startReplicas")}), ");
            text.Append($"{Json.Str(scaling, "metric")} ({Json.Str(scaling, "prometheusMetric")}) target {Json.Str(scaling, "target")} per replica, ");
            text.Append($"scale-down after {Json.Str(scaling, "scaleDownStabilization")}; by {Json.Str(scaling, "scaledBy")}\n");
        }
        foreach (var warning in Json.Items(plan?["warnings"]))
            text.Append($"warning: {(warning is JsonValue v && v.TryGetValue<string>(out var s) ? s : warning.ToJsonString())}\n");
        return text.ToString();
    }

    private static string Number(JsonNode node, string name) =>
        node[name] is JsonValue value && value.TryGetValue<decimal>(out var n) ? n.ToString("0.##", CultureInfo.InvariantCulture) : "?";

    private static string Money(JsonNode node, string name, string currency) =>
        node[name] is JsonValue value && value.TryGetValue<decimal>(out var n) ? $"{n.ToString("0.00", CultureInfo.InvariantCulture)} {currency}" : "?";
}
