using System.Text.Json.Nodes;

namespace Orchestrator.Rollouts;

public sealed record PlanStepDto(string Name, string Kind, IReadOnlyList<string> DependsOn, JsonObject Parameters);
