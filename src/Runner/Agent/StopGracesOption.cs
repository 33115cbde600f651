namespace Runner.Agent;

/// <summary>Grace after the interrupt and after the terminate signal when a step's child process is stopped.</summary>
internal sealed record StopGracesOption(TimeSpan AfterInterrupt, TimeSpan AfterTerminate)
{
    public Processes.StopGraces ToGraces() => new(AfterInterrupt, AfterTerminate);
}
