namespace Contracts.Protocol;

/// <summary>One log line; <see cref="Sequence"/> is the runner's per-attempt counter so a resent batch is not stored twice.</summary>
public sealed record LogLine(long Sequence, DateTimeOffset At, string Text);
