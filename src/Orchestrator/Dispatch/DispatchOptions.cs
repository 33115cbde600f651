using System.ComponentModel.DataAnnotations;

namespace Orchestrator.Dispatch;

/// <summary>Bound from <c>Dispatch</c>. Tests shorten the lease and the backoff; production keeps the defaults.</summary>
public sealed class DispatchOptions
{
    public const string Section = "Dispatch";

    [Range(1, 3600)] public int LeaseSeconds { get; set; } = 30;
    [Range(1, 100)] public int MaxAttempts { get; set; } = 3;
    /// <summary>First retry delay; each later attempt doubles it (jittered ±20 %), up to <see cref="MaxRetryBackoffSeconds"/>.</summary>
    [Range(0.0, 3600.0)] public double RetryBackoffSeconds { get; set; } = 5;
    [Range(0.0, 86400.0)] public double MaxRetryBackoffSeconds { get; set; } = 300;
    /// <summary>How often the sweeper looks for expired leases, timeouts and elapsed canary pauses.</summary>
    [Range(50, 60000)] public int SweepIntervalMilliseconds { get; set; } = 1000;
    /// <summary>A waiting claim re-checks the table this often even without a notification: polling is the truth.</summary>
    [Range(10, 60000)] public int ClaimRecheckMilliseconds { get; set; } = 1000;
    [Range(0, 300)] public int MaxClaimWaitSeconds { get; set; } = 60;
    /// <summary>How many batches of claims, heartbeats and completions this instance writes at once (see WriteBatcher).</summary>
    [Range(1, 64)] public int ConcurrentBatches { get; set; } = 2;
}
