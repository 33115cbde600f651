namespace Runner.Agent;

/// <summary>Does the work of one claimed step (a target's provider). Throws <see cref="OperationCanceledException"/>
/// when stopped through the token; any other exception becomes a failed step.</summary>
internal interface IStepExecutor
{
    Task<StepResult> ExecuteAsync(StepContext step, CancellationToken cancellationToken);
}
