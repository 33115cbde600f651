namespace Contracts.Specs;

public sealed record AnalysisSpec
{
    public string Duration { get; init; } = "1m";
    public double MaxErrorRate { get; init; } = 0.01;
    public int MaxP99LatencyMs { get; init; } = 5000;
}
