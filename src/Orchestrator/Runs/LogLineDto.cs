namespace Orchestrator.Runs;

/// <summary>One stored log line; <see cref="Id"/> orders lines and is the <c>after=</c> cursor and the SSE event id.</summary>
public sealed record LogLineDto(long Id, Guid StepId, string StepName, DateTimeOffset At, string Text);
