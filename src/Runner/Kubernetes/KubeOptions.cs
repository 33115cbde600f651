namespace Runner.Kubernetes;

/// <summary>Timing of the Kubernetes steps; tests shorten it.</summary>
internal sealed record KubeOptions
{
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(3);
    /// <summary>A pod the scheduler cannot place for this long fails the step (TPU nodes take minutes to appear).</summary>
    public TimeSpan UnschedulableGrace { get; init; } = TimeSpan.FromMinutes(15);
    public int LogTailLines { get; init; } = 20;
}
