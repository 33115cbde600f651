namespace Orchestrator.Cli;

/// <summary><c>environments teardown NAME --yes [--urgent] [--json]</c>: queues the run that deletes the environment's cluster,
/// service account and bucket; refuses without <c>--yes</c>.</summary>
public static class TeardownCommand
{
    public static async Task<int> RunAsync(IReadOnlyList<string> rawArgs, CliContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var args = CliArgs.Parse(rawArgs, [], ["yes", "urgent", "json"]);
        var name = args.Positionals.Count == 1 ? args.Positionals[0] : throw new UsageException("usage: environments teardown NAME --yes");
        if (!args.Has("yes"))
        {
            throw new UsageException($"teardown deletes the cluster, the service account and the bucket of '{name}': add --yes to confirm");
        }

        using var api = new ApiClient(ServerConnection.Resolve(args));
        var run = await api.PostAsync($"api/environments/{Uri.EscapeDataString(name)}/teardown?confirm=true{(args.Has("urgent") ? "&urgent=true" : "")}", null, context.Cancellation);
        await context.Out.WriteLineAsync(args.Has("json") ? Json.Pretty(run) : $"teardown of {name} queued as run {Json.Str(run, "id")}");
        return 0;
    }
}
