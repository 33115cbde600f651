using System.Text.Json.Nodes;
using Contracts;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace Orchestrator.Cli;

/// <summary>
/// Shows a run live until it is final. <see cref="FollowAsync"/> (<c>apply --follow</c>) and <see cref="FollowLogsAsync"/>
/// (<c>runs logs --follow</c>) print its log lines as they come and the steps' progress; <see cref="WatchAsync"/>
/// (<c>runs watch</c>) redraws the step table. On a terminal the progress bars and the table are a Spectre live view
/// (log lines scroll above it); elsewhere each change is one plain line. The run is polled once a second (the API has
/// no run event stream); both the poll and the log stream ride out a restarting service.
/// </summary>
public sealed class RunFollower(ApiClient api, Terminal terminal, TextWriter errors, TimeProvider time)
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(1);
    /// <summary>How long the log stream may lag behind the run becoming final before we stop waiting for it.</summary>
    private static readonly TimeSpan LogGrace = TimeSpan.FromSeconds(15);

    /// <returns>The final run.</returns>
    public async Task<JsonNode> FollowAsync(JsonNode run, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(run);
        var id = Json.Str(run, "id");
        terminal.WriteRun(run, time.GetUtcNow());
        var final = await WithProgressAsync(async report =>
        {
            using var logsStop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var logs = new LogPrinter(api, terminal.WriteLine, errors).FollowAsync(id, logsStop.Token);
            JsonNode last;
            try
            {
                last = await PollUntilFinalAsync(run, report, stepChanges: true, cancellationToken);
            }
            catch
            {
                await logsStop.CancelAsync();
                await SwallowCancellation(logs);
                throw;
            }
            if (await Task.WhenAny(logs, Task.Delay(LogGrace, time, cancellationToken)) != logs)
            {
                await errors.WriteLineAsync("(the log stream did not end; some log lines may be missing)");
                await logsStop.CancelAsync();
            }
            await SwallowCancellation(logs);
            return last;
        }, clearAtEnd: true);
        terminal.WriteLine("");
        terminal.WriteRun(final, time.GetUtcNow());
        return final;
    }

    /// <summary>The run's log lines until the server ends the stream (the run is final), with the steps' progress beside them.</summary>
    public async Task FollowLogsAsync(string id, CancellationToken cancellationToken)
    {
        await WithProgressAsync(async report =>
        {
            using var pollStop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var poll = Task.Run(async () =>
            {
                var run = await api.GetAsync($"api/runs/{Uri.EscapeDataString(id)}", pollStop.Token) ?? new JsonObject();
                report(run);
                return await PollUntilFinalAsync(run, report, stepChanges: false, pollStop.Token);
            }, pollStop.Token);
            try
            {
                await new LogPrinter(api, terminal.WriteLine, errors).FollowAsync(id, cancellationToken);
            }
            finally
            {
                await pollStop.CancelAsync();
                try
                {
                    await poll;
                }
                catch (Exception e) when (e is OperationCanceledException or ApiProblemException or ServerUnreachableException)
                {
                    // Progress is a view beside the logs: its end or failure is not the command's.
                }
            }
            return 0;
        }, clearAtEnd: true);
    }

    /// <summary><c>runs watch</c>: the step table, redrawn in place on a terminal; plain lines for each change elsewhere.</summary>
    /// <returns>The final run.</returns>
    public async Task<JsonNode> WatchAsync(string id, CancellationToken cancellationToken)
    {
        var run = await api.GetAsync($"api/runs/{Uri.EscapeDataString(id)}", cancellationToken)
            ?? throw new InvalidOperationException($"the server answered run {id} with an empty body");
        JsonNode final;
        if (terminal.IsRich)
        {
            final = await terminal.Console.Live(RunView.Renderable(run, time.GetUtcNow(), rich: true)).AutoClear(false).StartAsync(async live =>
                await PollUntilFinalAsync(run, current =>
                {
                    live.UpdateTarget(RunView.Renderable(current, time.GetUtcNow(), rich: true));
                    live.Refresh();
                }, stepChanges: false, cancellationToken));
        }
        else
        {
            terminal.WriteRun(run, time.GetUtcNow());
            var progress = new PlainProgress(terminal);
            progress.Report(run);
            final = await PollUntilFinalAsync(run, progress.Report, stepChanges: true, cancellationToken);
            terminal.WriteLine("");
            terminal.WriteRun(final, time.GetUtcNow());
        }
        return final;
    }

    /// <summary>Runs <paramref name="body"/> with a progress reporter: a live view of the running steps' bars on a terminal, plain lines elsewhere.</summary>
    private async Task<T> WithProgressAsync<T>(Func<Action<JsonNode>, Task<T>> body, bool clearAtEnd)
    {
        if (!terminal.IsRich) return await body(new PlainProgress(terminal).Report);
        return await terminal.Console.Live(new Text("")).AutoClear(clearAtEnd).StartAsync(async live => await body(run =>
        {
            live.UpdateTarget(ProgressView(run));
            live.Refresh();
        }));
    }

    private static IRenderable ProgressView(JsonNode run)
    {
        var grid = new Grid().AddColumn(new GridColumn().NoWrap()).AddColumn();
        foreach (var step in Json.Items(run["steps"]).Where(s => Json.Str(s, "status") == "running"))
        {
            if (StepProgress.Of(step) is { } progress) grid.AddRow(new Text(Json.Str(step, "name")), progress.Bar());
        }
        return grid.Rows.Count == 0 ? new Text("") : grid;
    }

    private async Task<JsonNode> PollUntilFinalAsync(JsonNode run, Action<JsonNode> report, bool stepChanges, CancellationToken cancellationToken)
    {
        var id = Json.Str(run, "id");
        var seen = Snapshot(run);
        var warned = false;
        while (!RunStatuses.IsFinal(Json.Str(run, "status")))
        {
            await Task.Delay(PollInterval, time, cancellationToken);
            try
            {
                run = await api.GetAsync($"api/runs/{Uri.EscapeDataString(id)}", cancellationToken)
                    ?? throw new InvalidOperationException($"the server answered run {id} with an empty body");
                warned = false;
            }
            catch (Exception e) when (LogPrinter.IsTransient(e) && !cancellationToken.IsCancellationRequested)
            {
                if (!warned) await errors.WriteLineAsync($"{e.Message}; retrying…");
                warned = true;
                continue;
            }
            var now = Snapshot(run);
            if (stepChanges)
            {
                foreach (var (name, state) in now)
                {
                    if (seen.GetValueOrDefault(name) != state) terminal.WriteLine($"==> {name}: {state}");
                }
            }
            seen = now;
            report(run);
        }
        if (stepChanges) terminal.WriteLine($"==> run {id}: {Json.Str(run, "status")}");
        return run;
    }

    private static Dictionary<string, string> Snapshot(JsonNode run) =>
        Json.Items(run["steps"]).ToDictionary(
            s => Json.Str(s, "name"),
            s => $"{Json.Str(s, "status")} (attempt {RunView.Attempt(s)}){(Json.Str(s, "error") is { Length: > 0 } e ? " — " + RunView.FirstLine(e, 120) : "")}",
            StringComparer.Ordinal);

    /// <summary>The logs are a view: their failure is reported, never the outcome of following the run.</summary>
    private async Task SwallowCancellation(Task logs)
    {
        try
        {
            await logs;
        }
        catch (OperationCanceledException)
        {
            // Stopped on purpose: the run is final or the user pressed Ctrl-C.
        }
        catch (Exception e) when (e is ApiProblemException or ServerUnreachableException or HttpRequestException or IOException)
        {
            await errors.WriteLineAsync($"log stream failed: {e.Message}");
        }
    }

    /// <summary>Off a terminal: one line per change of a step's progress, <c>checkpoint.convert 120.0 MiB / 400.0 MiB (30%)</c>.</summary>
    private sealed class PlainProgress(Terminal terminal)
    {
        private readonly Dictionary<string, string> _last = new(StringComparer.Ordinal);

        public void Report(JsonNode run)
        {
            lock (_last)
            {
                foreach (var step in Json.Items(run["steps"]))
                {
                    if (StepProgress.Of(step) is not { } progress) continue;
                    var name = Json.Str(step, "name");
                    var line = progress.Line(name);
                    if (_last.GetValueOrDefault(name) == line) continue;
                    _last[name] = line;
                    terminal.WriteLine(line);
                }
            }
        }
    }
}
