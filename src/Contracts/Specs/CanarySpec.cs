namespace Contracts.Specs;

/// <summary>
/// A canary: <see cref="Steps"/> in order, <see cref="BackgroundAnalysis"/> measured for the whole canary (from the first
/// step until promotion; it aborts the canary the moment it fails), and <see cref="ProgressDeadline"/> (a duration
/// counted from the moment the canary's replicas are live) after which a canary not yet promoted is aborted. A canary
/// that is aborted, by analysis, deadline or a person, is rolled back: all traffic to the stable revision, the canary's
/// replicas stopped, the run <c>failed</c> with the reason.
/// </summary>
public sealed record CanarySpec
{
    public IReadOnlyList<CanaryStepSpec> Steps { get; init; } = [];
    public AnalysisSpec? BackgroundAnalysis { get; init; }
    public string? ProgressDeadline { get; init; }
}
