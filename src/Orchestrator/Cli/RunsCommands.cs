using System.CommandLine;
using System.Globalization;
using System.Text;
using Contracts;

namespace Orchestrator.Cli;

/// <summary><c>runs list|show|watch|logs|cancel|retry|approve</c>.</summary>
public static class RunsCommands
{
    public static Command Build(CliContext context)
    {
        var runs = new Command("runs", "runs of rollouts: list, show, watch, logs, cancel, retry, approve");
        runs.Add(Options.Command("list", "runs, newest first",
                Options.Text("--environment", "only this environment's runs", "-e"), Options.Text("--status", "queued, running, succeeded, failed or cancelled"),
                Options.PositiveInt("--limit", "at most this many"))
            .WithOutput().Does(context, ListAsync));
        runs.Add(Options.Command("show", "a run and its steps (with their progress)", Options.RunId()).WithOutput().Does(context, ShowAsync));
        runs.Add(Options.Command("watch", "a live view of the run's steps until it ends; exit 0 only when it succeeds", Options.RunId()).Does(context, WatchAsync));
        runs.Add(Options.Command("logs", "the run's log lines", Options.RunId(), Options.Flag("--follow", "stream them (and the steps' progress) until the run ends"))
            .Does(context, LogsAsync));
        runs.Add(Act("cancel", "cancel the run (a canary rolls back first)", context));
        runs.Add(Act("retry", "resume a failed or cancelled run from its failed steps", context));
        runs.Add(Act("approve", "let a run waiting at an approval gate go on", context));
        return runs;
    }

    private static async Task<int> ListAsync(ParseResult parse, CliContext context)
    {
        var query = new StringBuilder("api/runs");
        var separator = '?';
        foreach (var (name, value) in new[] { ("environment", parse.GetValue<string>("--environment")), ("status", parse.GetValue<string>("--status")),
                     ("limit", parse.GetValue<int?>("--limit")?.ToString(CultureInfo.InvariantCulture)) })
        {
            if (value is null) continue;
            query.Append(separator).Append(name).Append('=').Append(Uri.EscapeDataString(value));
            separator = '&';
        }
        using var api = Options.Api(parse);
        var runs = await api.GetAsync(query.ToString(), context.Cancellation);
        if (await OutputFormat.TryWriteDataAsync(parse, context, runs)) return 0;
        new Terminal(context).Write(RunView.ListTable(Json.Items(runs), context.Time.GetUtcNow()));
        return 0;
    }

    private static async Task<int> ShowAsync(ParseResult parse, CliContext context)
    {
        var id = parse.GetValue<string>("ID")!;
        using var api = Options.Api(parse);
        var run = await api.GetAsync($"api/runs/{Uri.EscapeDataString(id)}", context.Cancellation);
        await WriteRunAsync(parse, context, run);
        return 0;
    }

    /// <summary>A run as the output format asks: its JSON or YAML, or the header and step table (with progress bars on a terminal).</summary>
    internal static async Task WriteRunAsync(ParseResult parse, CliContext context, System.Text.Json.Nodes.JsonNode? run)
    {
        if (await OutputFormat.TryWriteDataAsync(parse, context, run)) return;
        if (run is null)
        {
            await context.Out.WriteLineAsync("null");
            return;
        }
        new Terminal(context).WriteRun(run, context.Time.GetUtcNow());
    }

    private static async Task<int> WatchAsync(ParseResult parse, CliContext context)
    {
        using var api = Options.Api(parse);
        var final = await new RunFollower(api, new Terminal(context), context.Error, context.Time).WatchAsync(parse.GetValue<string>("ID")!, context.Cancellation);
        return Json.Str(final, "status") == RunStatuses.Succeeded ? 0 : 1;
    }

    private static async Task<int> LogsAsync(ParseResult parse, CliContext context)
    {
        var id = parse.GetValue<string>("ID")!;
        using var api = Options.Api(parse);
        var terminal = new Terminal(context);
        if (!parse.GetValue<bool>("--follow"))
        {
            await new LogPrinter(api, terminal.WriteLine, context.Error).PrintAsync(id, context.Cancellation);
            return 0;
        }
        await new RunFollower(api, terminal, context.Error, context.Time).FollowLogsAsync(id, context.Cancellation);
        return 0;
    }

    private static Command Act(string action, string description, CliContext context) =>
        Options.Command(action, description, Options.RunId()).WithOutput().Does(context, async (parse, ctx) =>
        {
            using var api = Options.Api(parse);
            var run = await api.PostAsync($"api/runs/{Uri.EscapeDataString(parse.GetValue<string>("ID")!)}/{action}", null, ctx.Cancellation);
            await WriteRunAsync(parse, ctx, run);
            return 0;
        });
}
