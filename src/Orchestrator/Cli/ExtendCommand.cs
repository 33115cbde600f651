namespace Orchestrator.Cli;

/// <summary><c>environments extend NAME 4h [--json]</c>: moves the environment's cost-guard teardown later by a
/// duration (<c>4h</c>, <c>30m</c>, <c>1h30m</c>); the service refuses when no teardown is scheduled.</summary>
public static class ExtendCommand
{
    public static async Task<int> RunAsync(IReadOnlyList<string> rawArgs, CliContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var args = CliArgs.Parse(rawArgs, [], ["json"]);
        var (name, by) = args.Positionals is [var n, var b] ? (n, b) : throw new UsageException("usage: environments extend NAME DURATION (such as 4h)");
        using var api = new ApiClient(ServerConnection.Resolve(args));
        var answer = await api.PostAsync($"api/environments/{Uri.EscapeDataString(name)}/extend", new System.Text.Json.Nodes.JsonObject { ["by"] = by },
            context.Cancellation);
        if (args.Has("json"))
        {
            await context.Out.WriteLineAsync(Json.Pretty(answer));
            return 0;
        }
        var at = Json.Time(answer, "teardownAt");
        var left = at is { } t ? $" (in {Json.Duration(t - context.Time.GetUtcNow())})" : "";
        await context.Out.WriteLineAsync($"{name} is torn down at {Json.Str(answer, "teardownAt")}{left}");
        return 0;
    }
}
