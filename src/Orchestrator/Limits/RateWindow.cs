using System.ComponentModel.DataAnnotations;

namespace Orchestrator.Limits;

/// <summary>A fixed window: <see cref="PermitLimit"/> requests per <see cref="Window"/>, up to <see cref="QueueLimit"/> more wait for the next.</summary>
public sealed class RateWindow
{
    [Range(1, int.MaxValue, ErrorMessage = "{0} must be at least 1.")]
    public int PermitLimit { get; set; }

    [Range(typeof(TimeSpan), "00:00:00.001", "1.00:00:00", ErrorMessage = "{0} must be a time span from 1 ms to 1 day (hh:mm:ss).")]
    public TimeSpan Window { get; set; } = TimeSpan.FromSeconds(10);

    [Range(0, int.MaxValue, ErrorMessage = "{0} must be 0 or more.")]
    public int QueueLimit { get; set; }
}
