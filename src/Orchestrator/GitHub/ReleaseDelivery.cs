namespace Orchestrator.GitHub;

/// <summary>What the receiver keeps of a delivery: enough to act on it later without the body.</summary>
public sealed record ReleaseDelivery(
    string DeliveryId, string Event, string? Action, string? Repository, long? ReleaseId, string? Tag, bool Prerelease, long? InstallationId);
