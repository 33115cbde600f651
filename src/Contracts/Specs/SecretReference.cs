using System.Text.RegularExpressions;

namespace Contracts.Specs;

/// <summary>
/// A reference to a secret stored in the orchestrator (<c>secret://NAME</c>): what a spec or a webhook binding holds in
/// place of the value. The value is revealed only to the runner, inside the claim of a step that uses it.
/// </summary>
public static partial class SecretReference
{
    public const string Scheme = "secret://";

    /// <summary>What a secret's name may be: lowercase letters, digits, '-', '_' and '.', starting with a letter or a
    /// digit, at most 63 characters.</summary>
    public const string NameRule = "lowercase letters, digits, '-', '_' and '.', starting with a letter or a digit, at most 63 characters";

    [GeneratedRegex("^[a-z0-9][a-z0-9_.-]{0,62}$")]
    private static partial Regex NamePattern();

    public static bool IsValidName(string? name) => name is not null && NamePattern().IsMatch(name);

    /// <summary>True when <paramref name="reference"/> names a stored secret (whether or not its name is valid).</summary>
    public static bool IsSecret(string? reference) => reference?.StartsWith(Scheme, StringComparison.Ordinal) == true;

    /// <summary>The secret's name in a <c>secret://NAME</c> reference.</summary>
    public static string NameOf(string reference)
    {
        ArgumentNullException.ThrowIfNull(reference);
        return IsSecret(reference) ? reference[Scheme.Length..] : throw new ArgumentException($"Not a {Scheme} reference.", nameof(reference));
    }

    public static string For(string name) => Scheme + name;
}
