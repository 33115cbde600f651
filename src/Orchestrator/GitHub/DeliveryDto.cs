namespace Orchestrator.GitHub;

/// <summary>A delivery as received and what became of it. <see cref="Outcome"/> is null while it waits to be worked
/// on (<see cref="Detail"/> then says why the last attempt failed, if one did).</summary>
public sealed record DeliveryDto
{
    public string DeliveryId { get; init; } = "";
    public string Event { get; init; } = "";
    public string? Action { get; init; }
    public string? Repository { get; init; }
    public long? ReleaseId { get; init; }
    public string? Tag { get; init; }
    public bool Prerelease { get; init; }
    public DateTimeOffset ReceivedAt { get; init; }
    public DateTimeOffset? ProcessedAt { get; init; }
    public string? Outcome { get; init; }
    public string? Detail { get; init; }
    public string? Environment { get; init; }
    public Guid? RunId { get; init; }
    public int Attempts { get; init; }
}
