namespace Runner.Processes;

/// <summary>How long a stopping process gets after the interrupt and after the terminate signal before the next,
/// harder one.</summary>
internal sealed record StopGraces(TimeSpan AfterInterrupt, TimeSpan AfterTerminate)
{
    public static readonly StopGraces Default = new(TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(5));
}
