using System.Globalization;

namespace EngineImage.Cli;

/// <summary>
/// Command-line flags the way absl (and so JetStream) reads them: <c>--name=value</c> or <c>--name value</c>;
/// booleans also as bare <c>--name</c> / <c>--noname</c>, with <c>True</c>/<c>False</c> in any case.
/// Unknown flags are an error so that a typo in a manifest fails at start, not silently.
/// </summary>
public sealed class Flags
{
    private readonly Dictionary<string, string?> _values = new(StringComparer.Ordinal);
    private readonly HashSet<string> _read = new(StringComparer.Ordinal);

    private Flags() { }

    public static Flags Parse(IReadOnlyList<string> args, IReadOnlySet<string> booleanFlags)
    {
        var flags = new Flags();
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            if (!arg.StartsWith("--", StringComparison.Ordinal) || arg.Length == 2)
                throw new FlagException($"unexpected argument '{arg}'");
            var body = arg[2..];
            var eq = body.IndexOf('=', StringComparison.Ordinal);
            if (eq >= 0)
            {
                flags._values[body[..eq]] = body[(eq + 1)..];
            }
            else if (booleanFlags.Contains(body))
            {
                // "--flag false" (a separate literal) is accepted too, as the manifests and docs write it.
                flags._values[body] = i + 1 < args.Count && IsBooleanLiteral(args[i + 1]) ? args[++i] : "true";
            }
            else if (body.StartsWith("no", StringComparison.Ordinal) && booleanFlags.Contains(body[2..]))
            {
                flags._values[body[2..]] = "false";
            }
            else if (i + 1 < args.Count && !args[i + 1].StartsWith("--", StringComparison.Ordinal))
            {
                flags._values[body] = args[++i];
            }
            else
            {
                throw new FlagException($"flag --{body} needs a value");
            }
        }
        return flags;
    }

    private static bool IsBooleanLiteral(string text) =>
        text.ToLowerInvariant() is "true" or "false" or "1" or "0" or "yes" or "no";

    public bool Has(string name) => _values.ContainsKey(name);

    public string? String(string name, string? fallback = null)
    {
        _read.Add(name);
        return _values.TryGetValue(name, out var v) ? v : fallback;
    }

    public string Required(string name) =>
        String(name) is { Length: > 0 } v ? v : throw new FlagException($"--{name} is required");

    public int Int(string name, int fallback)
    {
        var text = String(name);
        if (text is null) return fallback;
        return int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v)
            ? v
            : throw new FlagException($"--{name} must be an integer, got '{text}'");
    }

    public bool Bool(string name, bool fallback)
    {
        var text = String(name);
        if (text is null) return fallback;
        return text.ToLowerInvariant() switch
        {
            "true" or "1" or "yes" => true,
            "false" or "0" or "no" => false,
            _ => throw new FlagException($"--{name} must be true or false, got '{text}'"),
        };
    }

    /// <summary>Fails on any flag that was given but never read: call after reading every flag the verb knows.</summary>
    public void RejectUnknown()
    {
        var unknown = _values.Keys.Where(k => !_read.Contains(k)).ToList();
        if (unknown.Count > 0)
            throw new FlagException($"unknown flag{(unknown.Count > 1 ? "s" : "")}: {string.Join(", ", unknown.Select(u => "--" + u))}");
    }
}
