namespace Contracts.Specs;

public sealed record CleanupSpec
{
    public int KeepRevisions { get; init; } = 1;
    public string? TeardownAfter { get; init; }
}
