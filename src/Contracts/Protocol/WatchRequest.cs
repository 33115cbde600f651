namespace Contracts.Protocol;

/// <summary>Body of <c>POST /api/runners/watches</c>: asks for and renews watch leases on environments of the runner's
/// labels whose target kind is in <see cref="Kinds"/> (those this runner can probe). <see cref="Release"/> hands the named
/// ones back (a runner shutting down), so another runner takes them at once.</summary>
public sealed record WatchRequest
{
    public IReadOnlyList<string> Kinds { get; init; } = [];
    public IReadOnlyList<string> Release { get; init; } = [];
}
