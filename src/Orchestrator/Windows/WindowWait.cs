namespace Orchestrator.Windows;

/// <summary>A run held back by its environment's maintenance windows, until <see cref="Opening"/> (null: no window
/// opens again, so only an urgent run or a change of windows lets it start).</summary>
public sealed record WindowWait(WindowOpening? Opening)
{
    /// <summary>The <c>waitingFor</c> the API reports for such a run.</summary>
    public const string Reason = "maintenance window";
}
