using System.CommandLine;

namespace Orchestrator.Cli;

/// <summary><c>environments teardown NAME --yes [--urgent]</c>: queues the run that deletes the environment's cluster,
/// service account and bucket; refuses without <c>--yes</c>.</summary>
public static class TeardownCommand
{
    public static Command Build(CliContext context) =>
        Options.Command("teardown", "delete a gke environment's cluster, service account and bucket (a run)",
                Options.Arg("NAME", "the environment"), Options.Flag("--yes", "confirm"), Options.Flag("--urgent", "ignore maintenance windows"))
            .WithOutput().Does(context, RunAsync);

    private static async Task<int> RunAsync(ParseResult parse, CliContext context)
    {
        var name = parse.GetValue<string>("NAME")!;
        if (!parse.GetValue<bool>("--yes"))
            throw new UsageException($"teardown deletes the cluster, the service account and the bucket of '{name}': add --yes to confirm");
        using var api = Options.Api(parse);
        var run = await api.PostAsync($"api/environments/{Uri.EscapeDataString(name)}/teardown?confirm=true{(parse.GetValue<bool>("--urgent") ? "&urgent=true" : "")}", null,
            context.Cancellation);
        if (await OutputFormat.TryWriteDataAsync(parse, context, run)) return 0;
        await context.Out.WriteLineAsync($"teardown of {name} queued as run {Json.Str(run, "id")} (orchestrator runs watch {Json.Str(run, "id")})");
        return 0;
    }
}
