namespace Contracts;

/// <summary>A step moves pending → ready → running → succeeded | failed | cancelled | skipped; an expired lease
/// sends a running step back to ready as a new attempt. A step that needs a person (an approval, a pause until
/// promoted, an inconclusive analysis) is <see cref="Waiting"/> until approved, promoted or aborted.</summary>
public static class StepStatuses
{
    public const string Pending = "pending";
    public const string Ready = "ready";
    public const string Running = "running";
    public const string Waiting = "waiting";
    public const string Succeeded = "succeeded";
    public const string Failed = "failed";
    public const string Cancelled = "cancelled";
    public const string Skipped = "skipped";
}
