namespace Orchestrator.Dispatch;

/// <summary>A running step locked under a lease token that was still current.</summary>
public sealed record FencedStep
{
    public Guid Id { get; init; }
    public Guid RunId { get; init; }
    public string Name { get; init; } = "";
    public string Kind { get; init; } = "";
    public int Attempt { get; init; }
    public int ReleasedAttempts { get; init; }
    public int MaxAttempts { get; init; }
    public string RunStatus { get; init; } = "";
    public string Environment { get; init; } = "";
    /// <summary>Set while the run rolls back: the status it will end in.</summary>
    public string? EndingStatus { get; init; }
    public DateTime? AttemptStartedAt { get; init; }
    /// <summary>The run's trace context (see <c>Telemetry/OrchestratorTracing</c>).</summary>
    public string? Traceparent { get; init; }

    public bool RunRollingBack => EndingStatus is not null;

    /// <summary>Attempts that count against <see cref="MaxAttempts"/>, this one included.</summary>
    public int CountedAttempts => Attempt - ReleasedAttempts;

    /// <summary>This attempt, ended at <paramref name="now"/> with <paramref name="outcome"/>.</summary>
    public Telemetry.AttemptEnd Ended(string outcome, string? error, DateTimeOffset now) =>
        new(RunId, Id, Name, Kind, Attempt, AttemptStartedAt is { } started ? new DateTimeOffset(DateTime.SpecifyKind(started, DateTimeKind.Utc)) : null,
            now, outcome, error, Traceparent);
}
