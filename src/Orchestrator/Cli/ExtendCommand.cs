using System.CommandLine;

namespace Orchestrator.Cli;

/// <summary><c>environments extend NAME 4h [--json]</c>: moves the environment's cost-guard teardown later by a
/// duration (<c>4h</c>, <c>30m</c>, <c>1h30m</c>); the service refuses when no teardown is scheduled.</summary>
public static class ExtendCommand
{
    public static Command Build(CliContext context) =>
        Options.Command("extend", "move the cost guard's teardown (cleanup.teardownAfter) later",
            Options.Arg("NAME", "the environment"), Options.Arg("DURATION", "how much later, e.g. 4h, 30m, 1h30m")).WithOutput().Does(context, RunAsync);

    private static async Task<int> RunAsync(ParseResult parse, CliContext context)
    {
        var (name, by) = (parse.GetValue<string>("NAME")!, parse.GetValue<string>("DURATION")!);
        using var api = Options.Api(parse);
        var answer = await api.PostAsync($"api/environments/{Uri.EscapeDataString(name)}/extend", new System.Text.Json.Nodes.JsonObject { ["by"] = by },
            context.Cancellation);
        if (await OutputFormat.TryWriteDataAsync(parse, context, answer)) return 0;
        var at = Json.Time(answer, "teardownAt");
        var left = at is { } t ? $" (in {Json.Duration(t - context.Time.GetUtcNow())})" : "";
        await context.Out.WriteLineAsync($"{name} is torn down at {Json.Str(answer, "teardownAt")}{left}");
        return 0;
    }
}
