using System.ComponentModel.DataAnnotations;

namespace Orchestrator.Health;

/// <summary>Bound from <c>Health</c>. Tests shorten the passes; production keeps the defaults.</summary>
public sealed class HealthOptions
{
    public const string Section = "Health";

    /// <summary>A generate probe slower than this makes a healthy environment <c>degraded</c>.</summary>
    [Range(1, 600_000)] public int DegradedLatencyMilliseconds { get; set; } = 5000;
    /// <summary>How often the unknown-sweep runs (environments whose watch is gone or whose samples stopped).</summary>
    [Range(50, 60_000)] public int SweepIntervalMilliseconds { get; set; } = 1000;
    /// <summary>How often samples are downsampled and old rows deleted.</summary>
    [Range(1, 3600)] public int DownsampleIntervalSeconds { get; set; } = 60;
    [Range(1, 24 * 365)] public int RawRetentionHours { get; set; } = 24;
    [Range(1, 3650)] public int MinuteRollupRetentionDays { get; set; } = 7;
    [Range(1, 3650)] public int FiveMinuteRollupRetentionDays { get; set; } = 90;
}
