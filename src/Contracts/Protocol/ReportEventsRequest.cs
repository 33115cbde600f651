namespace Contracts.Protocol;

/// <summary>Body of <c>POST /api/runners/watches/events</c>: events of watched environments, each fenced by its watch
/// token; the answer is a <see cref="ReportSamplesResponse"/> (accepted count, stale environments).</summary>
public sealed record ReportEventsRequest
{
    public IReadOnlyList<WatchEvent> Events { get; init; } = [];
}
