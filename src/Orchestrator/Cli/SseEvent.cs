namespace Orchestrator.Cli;

/// <summary>One server-sent event: <c>event</c> (default <c>message</c>), <c>id</c> and the joined <c>data</c> lines.</summary>
public sealed record SseEvent(string Event, string? Id, string Data);
