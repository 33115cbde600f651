using System.Text.Json.Nodes;

namespace Orchestrator.Planning;

/// <summary>One node of a run's step graph as the planner emits it; <see cref="DependsOn"/> holds step names.</summary>
public sealed record PlannedStep(
    string Name,
    string Kind,
    IReadOnlyList<string> DependsOn,
    JsonObject Parameters,
    IReadOnlyList<string> RequiredLabels,
    int TimeoutSeconds);
