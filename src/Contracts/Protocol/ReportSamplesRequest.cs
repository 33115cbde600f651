namespace Contracts.Protocol;

/// <summary>Body of <c>POST /api/runners/watches/samples</c>: a batch of samples, each fenced by its watch token.</summary>
public sealed record ReportSamplesRequest
{
    public IReadOnlyList<HealthSample> Samples { get; init; } = [];
}
