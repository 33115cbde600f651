namespace Contracts;

/// <summary>What a runner may report in <c>POST /api/steps/{id}/complete</c>.</summary>
public static class StepOutcomes
{
    public const string Succeeded = StepStatuses.Succeeded;
    public const string Failed = StepStatuses.Failed;
    public const string Cancelled = StepStatuses.Cancelled;
    public const string Skipped = StepStatuses.Skipped;
    /// <summary>An analysis without enough data to decide: the step waits for a person to promote or abort.</summary>
    public const string Inconclusive = "inconclusive";

    public static readonly string[] All = [Succeeded, Failed, Cancelled, Skipped, Inconclusive];
}
