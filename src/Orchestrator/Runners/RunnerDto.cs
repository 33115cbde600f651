namespace Orchestrator.Runners;

/// <summary><c>status</c> is <c>busy</c> (holds a step), <c>idle</c> (polled recently) or <c>offline</c>.</summary>
public sealed record RunnerDto(Guid Id, string Name, IReadOnlyList<string> Labels, string Status, DateTimeOffset LastSeenAt, Guid? CurrentStepId);
