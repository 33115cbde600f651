namespace Contracts.Specs;

/// <summary>One canary step: exactly one of <see cref="Weight"/> (percent of traffic to the canary), <see cref="Pause"/>
/// (a duration such as <c>5m</c>) or <see cref="Analysis"/>.</summary>
public sealed record CanaryStepSpec
{
    public int? Weight { get; init; }
    public string? Pause { get; init; }
    public AnalysisSpec? Analysis { get; init; }
}
