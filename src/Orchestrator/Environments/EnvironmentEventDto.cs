using System.Text.Json.Nodes;

namespace Orchestrator.Environments;

/// <summary>Something that happened to an environment (a <c>rollback</c>, with its reason and the analysis behind it).</summary>
public sealed record EnvironmentEventDto(long Id, string Kind, DateTimeOffset At, Guid? RunId, JsonObject Details);
