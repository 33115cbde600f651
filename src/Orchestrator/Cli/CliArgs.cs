using System.Globalization;

namespace Orchestrator.Cli;

/// <summary>
/// The flags and positional arguments of one verb. Flags are <c>--name value</c> or <c>--name=value</c>; switches
/// (declared as such) take no value. Anything not declared is a usage error, so a typo never silently does nothing.
/// </summary>
public sealed class CliArgs
{
    private static readonly Dictionary<string, string> Aliases = new(StringComparer.Ordinal)
    {
        ["-f"] = "--file",
        ["-e"] = "--environment",
        ["-h"] = "--help",
    };

    private readonly Dictionary<string, string> _values;
    private readonly HashSet<string> _switches;

    private CliArgs(Dictionary<string, string> values, HashSet<string> switches, IReadOnlyList<string> positionals)
    {
        _values = values;
        _switches = switches;
        Positionals = positionals;
    }

    public IReadOnlyList<string> Positionals { get; }

    /// <param name="args">The arguments after the verb.</param>
    /// <param name="valueFlags">Flags that take a value, without the leading dashes.</param>
    /// <param name="switchFlags">Flags that take no value, without the leading dashes.</param>
    public static CliArgs Parse(IReadOnlyList<string> args, IEnumerable<string> valueFlags, IEnumerable<string> switchFlags)
    {
        ArgumentNullException.ThrowIfNull(args);
        var valueSet = new HashSet<string>(valueFlags, StringComparer.Ordinal) { "server", "token" };
        var switchSet = new HashSet<string>(switchFlags, StringComparer.Ordinal) { "help" };
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        var switches = new HashSet<string>(StringComparer.Ordinal);
        var positionals = new List<string>();
        var onlyPositionals = false;
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            if (onlyPositionals || arg == "-" || !arg.StartsWith('-'))
            {
                positionals.Add(arg);
                continue;
            }
            if (arg == "--")
            {
                onlyPositionals = true;
                continue;
            }
            var (name, inlineValue) = Split(Aliases.GetValueOrDefault(arg, arg));
            if (switchSet.Contains(name))
            {
                if (inlineValue is not null) throw new UsageException($"--{name} takes no value");
                switches.Add(name);
            }
            else if (valueSet.Contains(name))
            {
                if (inlineValue is null && i + 1 >= args.Count) throw new UsageException($"--{name} needs a value");
                values[name] = inlineValue ?? args[++i];
            }
            else
            {
                throw new UsageException($"unknown flag {arg}");
            }
        }
        return new CliArgs(values, switches, positionals);
    }

    public string? Value(string name) => _values.GetValueOrDefault(name);

    public string Required(string name) =>
        Value(name) is { Length: > 0 } value ? value : throw new UsageException($"--{name} is required");

    public bool Has(string name) => _switches.Contains(name);

    public int? PositiveInt(string name)
    {
        if (Value(name) is not { } text) return null;
        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0
            ? n
            : throw new UsageException($"--{name} must be a positive whole number, not '{text}'");
    }

    /// <summary>The single positional argument a verb like <c>runs show ID</c> takes.</summary>
    public string Single(string what)
    {
        return Positionals.Count switch
        {
            1 => Positionals[0],
            0 => throw new UsageException($"missing {what}"),
            _ => throw new UsageException($"expected one {what}, got {Positionals.Count} arguments"),
        };
    }

    public void NoPositionals()
    {
        if (Positionals.Count > 0) throw new UsageException($"unexpected argument '{Positionals[0]}'");
    }

    private static (string Name, string? Value) Split(string arg)
    {
        var body = arg.StartsWith("--", StringComparison.Ordinal) ? arg[2..] : arg[1..];
        var eq = body.IndexOf('=', StringComparison.Ordinal);
        return eq < 0 ? (body, null) : (body[..eq], body[(eq + 1)..]);
    }
}
