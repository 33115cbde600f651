namespace Orchestrator.Health;

/// <summary>
/// <c>GET /api/environments/{name}/health</c>: the derived status (and since when, why), who watches the environment,
/// the samples of the window (raw when few enough, else 1-minute or 5-minute rollups: <see cref="Resolution"/>), its
/// transitions and its notification deliveries.
/// </summary>
public sealed record HealthDto(
    string Environment, string Status, DateTimeOffset? StatusSince, string? Reason, DateTimeOffset? LastSampleAt, int IntervalSeconds,
    HealthWatcherDto? Watcher, string Resolution, IReadOnlyList<HealthPointDto> Points, IReadOnlyList<HealthTransitionDto> Transitions,
    IReadOnlyList<NotificationDeliveryDto> Notifications);

public sealed record HealthWatcherDto(Guid RunnerId, string RunnerName, DateTimeOffset ExpiresAt);

/// <summary>One sample, or one rollup bucket (<see cref="Samples"/> &gt; 1; latencies are averages, replicas the minimum).</summary>
public sealed record HealthPointDto
{
    public DateTimeOffset At { get; init; }
    public int Samples { get; init; }
    public int HealthcheckFailures { get; init; }
    public int GenerateFailures { get; init; }
    public double? GenerateLatencyMs { get; init; }
    public int? ReplicasReady { get; init; }
    public int? ReplicasTotal { get; init; }
    public int? Restarts { get; init; }
    public double? TtftMs { get; init; }
    public double? TpotMs { get; init; }
    public double? QueueDepth { get; init; }
    public double? TokensPerSecond { get; init; }
    public string? Revision { get; init; }
    public string? Error { get; init; }
}

public sealed record HealthTransitionDto(DateTimeOffset At, string From, string To, string? Reason);

/// <summary>The receiver's host only: a notification URL may carry a token in its path or query.</summary>
public sealed record NotificationDeliveryDto(
    Guid EventId, string Event, string Host, DateTimeOffset CreatedAt, int Attempts, DateTimeOffset? DeliveredAt, DateTimeOffset? FailedAt,
    string? LastError);
