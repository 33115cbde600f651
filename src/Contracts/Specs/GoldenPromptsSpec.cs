namespace Contracts.Specs;

/// <summary>
/// Prompts sent greedily (temperature 0) to the canary and to the stable revision; <c>exactMatch</c> is the share of
/// prompts whose outputs are identical, <c>tokenAgreement</c> the share of the first <see cref="Tokens"/> output tokens
/// that agree position by position (up to the first difference counts; after it, positions are compared as they fall).
/// </summary>
public sealed record GoldenPromptsSpec
{
    public IReadOnlyList<string> Prompts { get; init; } = [];
    /// <summary>A file on the runner (<c>file:///path</c>): one prompt per line, or a JSON array of strings.</summary>
    public string? File { get; init; }
    public int Tokens { get; init; } = 16;
}
