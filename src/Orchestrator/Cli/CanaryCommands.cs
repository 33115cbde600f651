namespace Orchestrator.Cli;

/// <summary><c>rollouts promote ENV [--full]</c> and <c>rollouts abort ENV</c>: decide an environment's paused canary.</summary>
public static class CanaryCommands
{
    public static Task<int> RunAsync(string[] args, CliContext context) => args switch
    {
        ["promote", .. var rest] => DecideAsync("promote", rest, context),
        ["abort", .. var rest] => DecideAsync("abort", rest, context),
        [] => throw new UsageException("rollouts needs a subcommand: promote or abort"),
        [var other, ..] => throw new UsageException($"unknown subcommand 'rollouts {other}' (promote, abort)"),
    };

    private static async Task<int> DecideAsync(string action, IReadOnlyList<string> rawArgs, CliContext context)
    {
        var args = CliArgs.Parse(rawArgs, [], action == "promote" ? ["json", "full"] : ["json"]);
        var environment = args.Single("environment name");
        var query = args.Has("full") ? "?full=true" : "";
        using var api = new ApiClient(ServerConnection.Resolve(args));
        var run = await api.PostAsync($"api/environments/{Uri.EscapeDataString(environment)}/{action}{query}", null, context.Cancellation);
        await context.Out.WriteAsync(args.Has("json") || run is null ? Json.Pretty(run) + "\n" : RunView.Full(run, context.Time.GetUtcNow()));
        return 0;
    }
}
