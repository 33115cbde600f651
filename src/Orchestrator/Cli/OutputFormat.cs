using System.CommandLine;
using System.Text.Json.Nodes;
using YamlDotNet.Serialization;

namespace Orchestrator.Cli;

/// <summary>
/// <c>--output table|json|yaml</c> (<c>-o</c>) and its older spelling <c>--json</c> (= <c>--output json</c>). JSON is the
/// API's answer as is; YAML is the same document (strings that would read as another type are quoted); table is the
/// human form.
/// </summary>
public static class OutputFormat
{
    public const string Table = "table";
    public const string Json = "json";
    public const string Yaml = "yaml";

    private static readonly ISerializer YamlWriter = new SerializerBuilder().WithQuotingNecessaryStrings().Build();

    /// <summary>Adds both options to <paramref name="command"/>.</summary>
    public static Command WithOutput(this Command command)
    {
        ArgumentNullException.ThrowIfNull(command);
        var output = new Option<string>("--output", "-o") { Description = "table (default), json or yaml", HelpName = "table|json|yaml" };
        output.AcceptOnlyFromAmong(Table, Json, Yaml);
        command.Add(output);
        command.Add(new Option<bool>("--json") { Description = "same as --output json" });
        command.Validators.Add(result =>
        {
            if (result.GetValue<bool>("--json") && result.GetValue<string>("--output") is { } other && other != Json)
                result.AddError($"--json and --output {other} ask for different formats: pass one of them");
        });
        return command;
    }

    public static string Of(ParseResult parse)
    {
        ArgumentNullException.ThrowIfNull(parse);
        return parse.GetValue<bool>("--json") ? Json : parse.GetValue<string>("--output") ?? Table;
    }

    /// <summary>Writes <paramref name="node"/> as JSON or YAML when that was asked for.</summary>
    /// <returns>false when the table form was asked for: the caller writes it.</returns>
    public static async Task<bool> TryWriteDataAsync(ParseResult parse, CliContext context, JsonNode? node)
    {
        ArgumentNullException.ThrowIfNull(context);
        switch (Of(parse))
        {
            case Json:
                await context.Out.WriteLineAsync(Cli.Json.Pretty(node));
                return true;
            case Yaml:
                await context.Out.WriteAsync(ToYaml(node));
                return true;
            default:
                return false;
        }
    }

    public static string ToYaml(JsonNode? node) => YamlWriter.Serialize(Plain(node));

    private static object? Plain(JsonNode? node) => node switch
    {
        null => null,
        JsonObject o => o.ToDictionary(p => p.Key, p => Plain(p.Value), StringComparer.Ordinal),
        JsonArray a => a.Select(Plain).ToList(),
        JsonValue v when v.TryGetValue<string>(out var s) => s,
        JsonValue v when v.TryGetValue<bool>(out var b) => b,
        JsonValue v when v.TryGetValue<long>(out var l) => l,
        JsonValue v when v.TryGetValue<decimal>(out var d) => d,
        JsonValue v when v.TryGetValue<double>(out var f) => f,
        _ => node.ToJsonString(),
    };
}
