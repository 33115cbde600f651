using System.Text.Json.Nodes;

namespace Orchestrator.Runs;

public sealed record StepDto
{
    public Guid Id { get; init; }
    public string Name { get; init; } = "";
    public string Kind { get; init; } = "";
    public string Status { get; init; } = "";
    public IReadOnlyList<string> DependsOn { get; init; } = [];
    public JsonObject Parameters { get; init; } = new();
    public int Attempt { get; init; }
    public int MaxAttempts { get; init; }
    public Guid? RunnerId { get; init; }
    public DateTimeOffset? StartedAt { get; init; }
    public DateTimeOffset? FinishedAt { get; init; }
    public JsonObject Outputs { get; init; } = new();
    public string? Error { get; init; }
    /// <summary>Who approved or promoted a step that waited for a person, and when.</summary>
    public string? DecidedBy { get; init; }
    public DateTimeOffset? DecidedAt { get; init; }
    /// <summary>How far the current attempt has come, as its runner last reported; null when it reported none.</summary>
    public Contracts.Protocol.StepProgress? Progress { get; init; }
}
