using System.Text.Json.Nodes;
using Contracts;

namespace Orchestrator.Cli;

/// <summary>
/// Shows a run live until it is final: its log lines as they come, a line whenever a step changes status or
/// attempt, then the final step table. The run is polled once a second (the API has no run event stream);
/// both the poll and the log stream ride out a restarting service.
/// </summary>
public sealed class RunFollower(ApiClient api, TextWriter output, TextWriter errors, TimeProvider time)
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(1);
    /// <summary>How long the log stream may lag behind the run becoming final before we stop waiting for it.</summary>
    private static readonly TimeSpan LogGrace = TimeSpan.FromSeconds(15);

    /// <returns>The final run.</returns>
    public async Task<JsonNode> FollowAsync(JsonNode run, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(run);
        var id = Json.Str(run, "id");
        output.Write(RunView.Full(run, time.GetUtcNow()));
        using var logsStop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var logs = new LogPrinter(api, output, errors).FollowAsync(id, logsStop.Token);
        JsonNode final;
        try
        {
            final = await PollUntilFinalAsync(run, cancellationToken);
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
        output.WriteLine();
        output.Write(RunView.Full(final, time.GetUtcNow()));
        return final;
    }

    private async Task<JsonNode> PollUntilFinalAsync(JsonNode run, CancellationToken cancellationToken)
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
            foreach (var (name, state) in now)
            {
                if (seen.GetValueOrDefault(name) != state)
                    output.WriteLine($"==> {name}: {state}");
            }
            seen = now;
        }
        output.WriteLine($"==> run {id}: {Json.Str(run, "status")}");
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
}
