namespace Contracts.Specs;

/// <summary>One canary step: exactly one of <see cref="Weight"/> (percent of traffic to the canary), <see cref="Pause"/>
/// (<c>5m</c>, or <c>{}</c> to wait until promoted), <see cref="Analysis"/> (blocking) or <see cref="Approval"/> (wait
/// until a user approves).</summary>
public sealed record CanaryStepSpec
{
    public int? Weight { get; init; }
    public PauseSpec? Pause { get; init; }
    public AnalysisSpec? Analysis { get; init; }
    public ApprovalSpec? Approval { get; init; }
}
