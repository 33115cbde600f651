namespace Orchestrator.Schedules;

/// <summary>What a schedule does when it fires, and what it does with fire times it missed.</summary>
public static class ScheduleActions
{
    /// <summary>Roll out the schedule's spec (with its model revision filled in).</summary>
    public const string Apply = "apply";

    /// <summary>Delete what the environment created (gke), with the settings of its latest rollout.</summary>
    public const string Teardown = "teardown";

    /// <summary>Apply the environment's latest succeeded rollout again (after a teardown, say).</summary>
    public const string Reprovision = "reprovision";

    public static readonly string[] All = [Apply, Teardown, Reprovision];

    /// <summary>Missed fire times are dropped; the next one on the schedule fires.</summary>
    public const string MisfireSkip = "skip";

    /// <summary>Missed fire times fire once, as soon as a scheduler is back, then the schedule goes on.</summary>
    public const string MisfireFireOnce = "fire-once";

    public static readonly string[] MisfirePolicies = [MisfireSkip, MisfireFireOnce];
}
