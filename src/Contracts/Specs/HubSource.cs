using System.Diagnostics.CodeAnalysis;
using System.Text.RegularExpressions;

namespace Contracts.Specs;

/// <summary>A Hugging Face model source, <c>hf://org/name[@revision]</c>: the repository and the revision (a branch, a tag
/// or a commit sha; <c>main</c> when none is given). The one parser of that form for the service and the runner.</summary>
public sealed partial record HubSource(string Repository, string Revision)
{
    public const string Scheme = "hf://";
    public const string DefaultRevision = "main";

    public static bool IsHubSource(string? source) => source is not null && source.StartsWith(Scheme, StringComparison.Ordinal);

    /// <summary>Null and an error naming what is wrong when <paramref name="source"/> is not a well-formed hf:// source.</summary>
    public static bool TryParse(string? source, [NotNullWhen(true)] out HubSource? parsed, [NotNullWhen(false)] out string? error)
    {
        parsed = null;
        if (!IsHubSource(source))
        {
            error = $"An hf:// source starts with {Scheme}.";
            return false;
        }

        var rest = source![Scheme.Length..];
        var at = rest.IndexOf('@', StringComparison.Ordinal);
        var repository = at < 0 ? rest : rest[..at];
        var revision = at < 0 ? DefaultRevision : rest[(at + 1)..];
        if (!RepositoryPattern().IsMatch(repository))
        {
            error = "An hf:// source names a repository: hf://org/name[@revision].";
            return false;
        }

        if (revision.Length == 0 || revision.Any(char.IsWhiteSpace))
        {
            error = "The revision after @ must be a branch, a tag or a commit, without spaces: hf://org/name@revision.";
            return false;
        }

        parsed = new HubSource(repository, revision);
        error = null;
        return true;
    }

    /// <summary>The revision names one commit by its full sha (so a cached copy of it needs no look-up).</summary>
    public bool IsCommit => CommitPattern().IsMatch(Revision);

    public override string ToString() => $"{Scheme}{Repository}@{Revision}";

    // Hub repository ids: an owner and a name of letters, digits, '-', '_' and '.'.
    [GeneratedRegex(@"^[A-Za-z0-9][A-Za-z0-9._-]*/[A-Za-z0-9][A-Za-z0-9._-]*$")]
    private static partial Regex RepositoryPattern();

    [GeneratedRegex("^[0-9a-f]{40}$")]
    private static partial Regex CommitPattern();
}
