using System.Text.Json.Nodes;

namespace Orchestrator.Environments;

/// <summary><see cref="State"/> is what the runners recorded: <c>stableRevision</c>, <c>canaryRevision</c>,
/// <c>canaryWeight</c>, <c>frontUrl</c> and the like.</summary>
public sealed record EnvironmentDto(string Name, string TargetKind, DateTimeOffset CreatedAt, JsonObject State);
