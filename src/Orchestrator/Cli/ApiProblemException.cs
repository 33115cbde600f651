namespace Orchestrator.Cli;

/// <summary>A non-2xx answer of the service, read from its <c>application/problem+json</c> body (RFC 9457).</summary>
public sealed class ApiProblemException(int status, string title, string? detail, IReadOnlyDictionary<string, IReadOnlyList<string>> errors)
    : Exception(detail is null ? title : $"{title}: {detail}")
{
    public int Status { get; } = status;
    public string Title { get; } = title;
    public string? Detail { get; } = detail;
    /// <summary>Field path (e.g. <c>engine.batchSize</c>) → messages, for bad input.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>> Errors { get; } = errors;
}
