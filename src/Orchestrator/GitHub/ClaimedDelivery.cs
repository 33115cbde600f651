namespace Orchestrator.GitHub;

/// <summary>A delivery the processor holds; every write about it is fenced by <see cref="ClaimToken"/>.</summary>
public sealed record ClaimedDelivery
{
    public string DeliveryId { get; init; } = "";
    public string Event { get; init; } = "";
    public string? Action { get; init; }
    public string? Repository { get; init; }
    public long? ReleaseId { get; init; }
    public string? Tag { get; init; }
    public bool Prerelease { get; init; }
    public long? InstallationId { get; init; }
    public int Attempts { get; init; }
    public Guid ClaimToken { get; init; }
    public DateTime ReceivedAt { get; init; }
}
