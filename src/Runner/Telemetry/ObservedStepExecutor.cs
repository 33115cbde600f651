using System.Diagnostics;
using Contracts;
using Runner.Agent;

namespace Runner.Telemetry;

/// <summary>The target's executor with the step's metrics and span around it; what it returns or throws is unchanged.</summary>
internal sealed class ObservedStepExecutor(IStepExecutor inner, TimeProvider time) : IStepExecutor
{
    public async Task<StepResult> ExecuteAsync(StepContext step, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(step);
        var kind = step.Claim.Kind;
        var started = time.GetTimestamp();
        using var activity = RunnerTracing.StartStep(step.Claim);
        var running = RunnerMetrics.StepsRunning.WithLabels(kind);
        running.Inc();
        var outcome = "stopped";
        try
        {
            var result = await inner.ExecuteAsync(step, cancellationToken);
            outcome = result.Outcome;
            // No error text: it may hold what the secret masker takes out of logs, and the orchestrator has it anyway.
            if (outcome is StepStatuses.Failed or StepStatuses.Cancelled) activity?.SetStatus(ActivityStatusCode.Error, outcome);
            return result;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            outcome = StepStatuses.Failed;
            activity?.SetStatus(ActivityStatusCode.Error, e.GetType().Name);
            throw;
        }
        finally
        {
            running.Dec();
            activity?.SetTag("step.outcome", outcome);
            RunnerMetrics.Steps.WithLabels(kind, outcome).Inc();
            RunnerMetrics.StepDuration.WithLabels(kind, outcome).Observe(time.GetElapsedTime(started).TotalSeconds);
        }
    }
}
