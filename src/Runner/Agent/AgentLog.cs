using Microsoft.Extensions.Logging;

namespace Runner.Agent;

internal static partial class AgentLog
{
    [LoggerMessage(LogLevel.Information, "Registered as runner {RunnerId} ({Name}) with labels {Labels}")]
    public static partial void Registered(ILogger logger, Guid runnerId, string name, string labels);

    [LoggerMessage(LogLevel.Information, "Using the stored credential of runner {RunnerId}")]
    public static partial void CredentialLoaded(ILogger logger, Guid runnerId);

    [LoggerMessage(LogLevel.Information, "Claimed step {StepId} {StepName} ({Kind}) of run {RunId}, attempt {Attempt}")]
    public static partial void Claimed(ILogger logger, Guid stepId, string stepName, string kind, Guid runId, int attempt);

    [LoggerMessage(LogLevel.Information, "Step {StepId} finished: {Outcome}")]
    public static partial void Completed(ILogger logger, Guid stepId, string outcome);

    [LoggerMessage(LogLevel.Warning, "Lease on step {StepId} lost; its work was stopped")]
    public static partial void LeaseLost(ILogger logger, Guid stepId);

    [LoggerMessage(LogLevel.Information, "Step {StepId} handed back because the runner is shutting down")]
    public static partial void Released(ILogger logger, Guid stepId);

    [LoggerMessage(LogLevel.Warning, "Could not report step {StepId}; its lease will expire and it will be retried")]
    public static partial void ReportFailed(ILogger logger, Exception exception, Guid stepId);

    [LoggerMessage(LogLevel.Warning, "The orchestrator could not be reached; retrying in {Delay}")]
    public static partial void ServerUnreachable(ILogger logger, Exception exception, TimeSpan delay);

    [LoggerMessage(LogLevel.Critical, "The orchestrator refused this runner's credential: {Message}")]
    public static partial void Unauthorized(ILogger logger, string message);

    [LoggerMessage(LogLevel.Error, "Step {StepId} failed: {Message}")]
    public static partial void StepCrashed(ILogger logger, Exception exception, Guid stepId, string message);
}
