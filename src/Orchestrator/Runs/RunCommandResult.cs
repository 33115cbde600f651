namespace Orchestrator.Runs;

/// <summary>Outcome of a command on runs: the run, or why not (unknown id, wrong state, bad input).</summary>
public sealed record RunCommandResult
{
    public RunDto? Run { get; init; }
    public bool NotFound { get; init; }
    public string? Conflict { get; init; }
    public Rollouts.ValidationErrors? Invalid { get; init; }

    public static RunCommandResult Ok(RunDto run) => new() { Run = run };
    public static RunCommandResult Missing() => new() { NotFound = true };
    public static RunCommandResult InConflict(string detail) => new() { Conflict = detail };
    public static RunCommandResult BadInput(Rollouts.ValidationErrors errors) => new() { Invalid = errors };
}
