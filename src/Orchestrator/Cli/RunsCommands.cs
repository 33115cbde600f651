using System.Globalization;
using System.Text;

namespace Orchestrator.Cli;

/// <summary><c>runs list|show|logs|cancel|retry|approve</c>.</summary>
public static class RunsCommands
{
    public static Task<int> RunAsync(string[] args, CliContext context) => args switch
    {
        ["list", .. var rest] => ListAsync(rest, context),
        ["show", .. var rest] => ShowAsync(rest, context),
        ["logs", .. var rest] => LogsAsync(rest, context),
        ["cancel", .. var rest] => ActAsync("cancel", rest, context),
        ["retry", .. var rest] => ActAsync("retry", rest, context),
        ["approve", .. var rest] => ActAsync("approve", rest, context),
        [] => throw new UsageException("runs needs a subcommand: list, show, logs, cancel, retry or approve"),
        [var other, ..] => throw new UsageException($"unknown subcommand 'runs {other}' (list, show, logs, cancel, retry, approve)"),
    };

    private static async Task<int> ListAsync(IReadOnlyList<string> rawArgs, CliContext context)
    {
        var args = CliArgs.Parse(rawArgs, ["environment", "status", "limit"], ["json"]);
        args.NoPositionals();
        var query = new StringBuilder("api/runs");
        var separator = '?';
        foreach (var (name, value) in new[] { ("environment", args.Value("environment")), ("status", args.Value("status")),
                     ("limit", args.PositiveInt("limit")?.ToString(CultureInfo.InvariantCulture)) })
        {
            if (value is null) continue;
            query.Append(separator).Append(name).Append('=').Append(Uri.EscapeDataString(value));
            separator = '&';
        }
        using var api = new ApiClient(ServerConnection.Resolve(args));
        var runs = await api.GetAsync(query.ToString(), context.Cancellation);
        await context.Out.WriteAsync(args.Has("json") ? Json.Pretty(runs) + "\n" : RunView.List(Json.Items(runs), context.Time.GetUtcNow()));
        return 0;
    }

    private static async Task<int> ShowAsync(IReadOnlyList<string> rawArgs, CliContext context)
    {
        var args = CliArgs.Parse(rawArgs, [], ["json"]);
        var id = RunId(args);
        using var api = new ApiClient(ServerConnection.Resolve(args));
        var run = await api.GetAsync($"api/runs/{Uri.EscapeDataString(id)}", context.Cancellation);
        await context.Out.WriteAsync(args.Has("json") || run is null ? Json.Pretty(run) + "\n" : RunView.Full(run, context.Time.GetUtcNow()));
        return 0;
    }

    private static async Task<int> LogsAsync(IReadOnlyList<string> rawArgs, CliContext context)
    {
        var args = CliArgs.Parse(rawArgs, [], ["follow"]);
        var id = RunId(args);
        using var api = new ApiClient(ServerConnection.Resolve(args));
        var printer = new LogPrinter(api, context.Out, context.Error);
        if (args.Has("follow")) await printer.FollowAsync(id, context.Cancellation);
        else await printer.PrintAsync(id, context.Cancellation);
        return 0;
    }

    private static string RunId(CliArgs args)
    {
        var id = args.Single("run id");
        return Guid.TryParse(id, out _) ? id : throw new UsageException($"'{id}' is not a run id (see `orchestrator runs list`)");
    }

    private static async Task<int> ActAsync(string action, IReadOnlyList<string> rawArgs, CliContext context)
    {
        var args = CliArgs.Parse(rawArgs, [], ["json"]);
        var id = RunId(args);
        using var api = new ApiClient(ServerConnection.Resolve(args));
        var run = await api.PostAsync($"api/runs/{Uri.EscapeDataString(id)}/{action}", null, context.Cancellation);
        await context.Out.WriteAsync(args.Has("json") || run is null ? Json.Pretty(run) + "\n" : RunView.Full(run, context.Time.GetUtcNow()));
        return 0;
    }
}
