namespace Contracts;

/// <summary>The last rollback of an environment: which canary, back to which stable revision, why, and when.</summary>
public sealed record RollbackRecord
{
    public string Revision { get; init; } = "";
    public string? ToRevision { get; init; }
    public string Reason { get; init; } = "";
    public Guid RunId { get; init; }
    public DateTimeOffset At { get; init; }
}
