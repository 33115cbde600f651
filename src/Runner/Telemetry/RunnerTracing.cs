using System.Diagnostics;
using Contracts.Protocol;

namespace Runner.Telemetry;

/// <summary>The runner's spans: one around the work of each step attempt, a child of the run's trace from the claim.</summary>
internal static class RunnerTracing
{
    public const string SourceName = "Runner";

    private static readonly ActivitySource Source = new(SourceName);

    /// <summary>The span of the step's work, made current so that the HTTP calls it makes (the engine, the clouds) join
    /// the run's trace; null when nothing listens (tracing off).</summary>
    public static Activity? StartStep(StepClaim claim)
    {
        if (!Source.HasListeners()) return null;
        ActivityContext.TryParse(claim.Traceparent, null, isRemote: true, out var parent);
        var activity = Source.StartActivity("step.execute", ActivityKind.Internal, parent);
        if (activity is null) return null;
        activity.DisplayName = $"{claim.Name} attempt {claim.Attempt} (runner)";
        activity.SetTag("run.id", claim.RunId.ToString());
        activity.SetTag("step.id", claim.StepId.ToString());
        activity.SetTag("step.name", claim.Name);
        activity.SetTag("step.kind", claim.Kind);
        activity.SetTag("step.attempt", claim.Attempt);
        return activity;
    }
}
