using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;

namespace Orchestrator.Cli;

/// <summary>
/// Prints a run's log lines as <c>step | text</c>. Following, it holds a server-sent-events stream open until the
/// server's <c>end</c> event; a dropped connection or a restarting server is retried from the last line seen
/// (<c>after=</c>), so no line is printed twice or lost.
/// </summary>
public sealed class LogPrinter(ApiClient api, Action<string> writeLine, TextWriter errors)
{
    private static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(1);
    private long _lastId;

    public async Task PrintAsync(string runId, CancellationToken cancellationToken)
    {
        while (true)
        {
            var page = await api.GetAsync($"api/runs/{Uri.EscapeDataString(runId)}/logs?after={_lastId}", cancellationToken);
            var before = _lastId;
            foreach (var line in Json.Items(page)) Print(line);
            if (_lastId == before) return;
        }
    }

    public async Task FollowAsync(string runId, CancellationToken cancellationToken)
    {
        var warned = false;
        while (true)
        {
            try
            {
                if (await StreamOnceAsync(runId, cancellationToken)) return;
            }
            catch (Exception e) when (IsTransient(e) && !cancellationToken.IsCancellationRequested)
            {
                if (!warned) await errors.WriteLineAsync($"log stream interrupted ({e.Message}); reconnecting…");
                warned = true;
            }
            await Task.Delay(RetryDelay, cancellationToken);
        }
    }

    /// <returns>true when the server said the run is final and every line was sent.</returns>
    private async Task<bool> StreamOnceAsync(string runId, CancellationToken cancellationToken)
    {
        using var request = api.NewRequest(HttpMethod.Get, $"api/runs/{Uri.EscapeDataString(runId)}/logs?after={_lastId}&follow=true", null);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        using var response = await api.SendRawAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
        await foreach (var sse in SseReader.ReadAsync(stream, cancellationToken))
        {
            if (sse.Event == "end") return true;
            if (sse.Data.Length == 0) continue;
            Print(JsonNode.Parse(sse.Data));
            if (long.TryParse(sse.Id, NumberStyles.None, CultureInfo.InvariantCulture, out var id) && id > _lastId) _lastId = id;
        }
        return false;
    }

    private void Print(JsonNode? line)
    {
        if (line is null) return;
        if (long.TryParse(Json.Str(line, "id"), NumberStyles.None, CultureInfo.InvariantCulture, out var id))
        {
            if (id <= _lastId) return;
            _lastId = id;
        }
        writeLine($"{Json.OrDash(Json.Str(line, "stepName"))} | {Json.Str(line, "text")}");
    }

    /// <summary>A connection that failed or broke, or a server error while the service restarts: worth another try.</summary>
    internal static bool IsTransient(Exception e) => e switch
    {
        ServerUnreachableException or HttpRequestException or IOException => true,
        ApiProblemException problem => problem.Status >= 500,
        _ => false,
    };
}
