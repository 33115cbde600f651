namespace Contracts.Protocol;

/// <summary>
/// How far a long step has come, as its runner measured it: <see cref="Done"/> of <see cref="Total"/> (null when the
/// total is not known, e.g. an operation that only reports its state) in <see cref="Unit"/>s, with a short message.
/// Carried by <see cref="HeartbeatRequest.Progress"/>; the API shows the latest one on the step of the current attempt.
/// </summary>
public sealed record StepProgress
{
    public const int MaxUnitLength = 32;
    public const int MaxMessageLength = 300;

    public double Done { get; init; }
    public double? Total { get; init; }
    /// <summary>One of <see cref="StepProgressUnits"/>.</summary>
    public string Unit { get; init; } = "";
    public string? Message { get; init; }
    /// <summary>When the runner measured it.</summary>
    public DateTimeOffset UpdatedAt { get; init; }

    /// <summary>The share done (0 to 1), or null without a total.</summary>
    public double? Fraction => Total is > 0 ? Math.Clamp(Done / Total.Value, 0, 1) : null;

    /// <summary>Why the orchestrator refuses it, or null.</summary>
    public string? Problem() =>
        !double.IsFinite(Done) || Done < 0 ? "done must be a finite number of at least 0"
        : Total is { } total && (!double.IsFinite(total) || total < 0) ? "total must be a finite number of at least 0"
        : string.IsNullOrWhiteSpace(Unit) || Unit.Length > MaxUnitLength ? $"unit must be 1 to {MaxUnitLength} characters"
        : Message is { Length: > MaxMessageLength } ? $"message must be at most {MaxMessageLength} characters"
        : null;
}

/// <summary>The units a runner reports progress in.</summary>
public static class StepProgressUnits
{
    /// <summary><c>checkpoint.convert</c>: tensors converted of the checkpoint's tensors.</summary>
    public const string Tensors = "tensors";
    public const string Bytes = "bytes";
    /// <summary><c>engine.deploy</c>: replicas ready of the replicas wanted.</summary>
    public const string Replicas = "replicas";
    /// <summary>A cloud operation without measured progress: seconds elapsed, no total.</summary>
    public const string Seconds = "seconds";
}
