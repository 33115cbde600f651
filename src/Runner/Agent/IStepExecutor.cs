using Contracts.Protocol;

namespace Runner.Agent;

/// <summary>Does the work of one claimed step (a target's provider). Throws <see cref="OperationCanceledException"/>
/// when stopped through the token; any other exception becomes a failed step.</summary>
internal interface IStepExecutor
{
    /// <param name="stop">Tells, once the token fired, why: a handler may undo work when the run was cancelled but keep
    /// it when the runner merely shuts down.</param>
    Task<StepResult> ExecuteAsync(StepClaim claim, IStepLog log, WorkStop stop, CancellationToken cancellationToken);
}
