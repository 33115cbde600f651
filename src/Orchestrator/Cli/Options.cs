using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;

namespace Orchestrator.Cli;

/// <summary>The shapes of option and argument the verbs share, with the messages a wrong value gets (exit code 2).</summary>
public static class Options
{
    public static Option<string> Text(string name, string description, params string[] aliases) =>
        new(name, aliases) { Description = description };

    public static Option<string> Required(string name, string description, params string[] aliases) =>
        new(name, aliases) { Description = description, Required = true };

    public static Option<bool> Flag(string name, string description) => new(name) { Description = description };

    public static Option<int?> PositiveInt(string name, string description) => new(name)
    {
        Description = description,
        CustomParser = result =>
        {
            var text = result.Tokens.Count == 1 ? result.Tokens[0].Value : "";
            if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0) return n;
            result.AddError($"{name} must be a positive whole number, not '{text}'");
            return null;
        },
    };

    public static Argument<string> Arg(string name, string description) => new(name) { Description = description };

    /// <summary>A run id: a UUID, so that a name or a typo is a usage error before any request.</summary>
    public static Argument<string> RunId()
    {
        var id = Arg("ID", "the run's id (orchestrator runs list)");
        id.Validators.Add(result =>
        {
            var text = result.Tokens.Count == 1 ? result.Tokens[0].Value : "";
            if (!Guid.TryParse(text, out _)) result.AddError($"'{text}' is not a run id (see `orchestrator runs list`)");
        });
        return id;
    }

    public static Command Command(string name, string description, params Symbol[] symbols)
    {
        var command = new Command(name, description);
        foreach (var symbol in symbols)
        {
            switch (symbol)
            {
                case Option option: command.Add(option); break;
                case Argument argument: command.Add(argument); break;
                case Command sub: command.Add(sub); break;
                default: throw new ArgumentException($"cannot add {symbol.GetType().Name}", nameof(symbols));
            }
        }
        return command;
    }

    /// <summary>Sets the verb's action; it runs with the CLI's own context (its writers and Ctrl-C token), not the parser's.</summary>
    public static Command Does(this Command command, CliContext context, Func<ParseResult, CliContext, Task<int>> action)
    {
        ArgumentNullException.ThrowIfNull(command);
        command.SetAction((parse, _) => action(parse, context));
        return command;
    }

    public static ApiClient Api(ParseResult parse) => new(ServerConnection.Resolve(parse));
}
