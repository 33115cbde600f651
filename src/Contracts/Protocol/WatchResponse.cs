namespace Contracts.Protocol;

/// <summary>
/// Answer of <c>POST /api/runners/watches</c>: every environment this runner now holds. A watch not listed is no longer
/// held: stop probing it. Renew again after <see cref="RenewAfterMilliseconds"/> (a third of the shortest interval).
/// </summary>
public sealed record WatchResponse
{
    public IReadOnlyList<WatchLease> Watches { get; init; } = [];
    public int RenewAfterMilliseconds { get; init; }
}
