namespace Runner.Agent;

/// <summary>Why a step's work was stopped before it finished by itself; the first reason wins.</summary>
internal enum StopReason
{
    None,
    LeaseLost,
    CancelRequested,
    TimedOut,
    ShuttingDown,
}
