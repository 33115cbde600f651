using System.Text;
using System.Text.Json;
using Contracts;

namespace Orchestrator.Runs;

/// <summary>
/// Server-sent events: one <c>data:</c> event per line (event id = line id), then <c>event: end</c> once the run is
/// final and every line was sent. Polls the table; a client that reconnects resumes with <c>Last-Event-ID</c>.
/// </summary>
public sealed class LogEventStream(LogScope scope, long after) : IResult
{
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(300);

    public async Task ExecuteAsync(HttpContext httpContext)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        var store = httpContext.RequestServices.GetRequiredService<LogStore>();
        var time = httpContext.RequestServices.GetRequiredService<TimeProvider>();
        var response = httpContext.Response;
        var cancellationToken = httpContext.RequestAborted;
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache";
        response.Headers["X-Accel-Buffering"] = "no";
        await response.Body.FlushAsync(cancellationToken);

        var cursor = after;
        try
        {
            while (true)
            {
                // Read "finished" before the lines: a line written before the run ended is then surely in this page.
                var finished = await store.IsFinishedAsync(scope, cancellationToken);
                var lines = await store.ReadAsync(scope, cursor, cancellationToken);
                var text = new StringBuilder();
                foreach (var line in lines)
                {
                    text.Append("id: ").Append(line.Id).Append('\n')
                        .Append("data: ").Append(JsonSerializer.Serialize(line, ContractJson.Options)).Append("\n\n");
                    cursor = line.Id;
                }
                if (lines.Count == 0 && finished) text.Append("event: end\ndata: {}\n\n");
                if (text.Length > 0)
                {
                    await response.WriteAsync(text.ToString(), cancellationToken);
                    await response.Body.FlushAsync(cancellationToken);
                }
                if (lines.Count == 0 && finished) return;
                if (lines.Count < LogStore.PageSize) await Task.Delay(Poll, time, cancellationToken);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The client went away.
        }
    }
}
