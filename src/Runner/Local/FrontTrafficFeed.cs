using Runner.Analysis;
using Runner.Front;

namespace Runner.Local;

/// <summary>The local target's live traffic: the environment's front records every <c>/generate</c> per revision
/// (<see cref="FrontTraffic"/>), read from its <c>/_front/traffic</c>.</summary>
internal sealed class FrontTrafficFeed(HttpClient http, string frontUrl) : ITrafficFeed
{
    public string Where => "through the front";

    public async Task<(IReadOnlyDictionary<string, TrafficCounts>? Readings, string? Why)> ReadAsync(string revision, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(10));
        try
        {
            var text = await http.GetStringAsync($"{frontUrl}/_front/traffic", timeout.Token);
            var counts = TrafficCounts.Read(text, [FrontTraffic.Requests], FrontTraffic.Errors, FrontTraffic.Duration,
                requestsIncludeErrors: true, label: $"revision=\"{revision}\"");
            // The front counts the failures of every revision it routes to: one it has not recorded yet (a canary read
            // before its first request) has none, not an unknown number.
            counts = counts with { Errors = counts.Errors ?? 0 };
            return (new Dictionary<string, TrafficCounts> { ["front"] = counts }, null);
        }
        catch (Exception e) when (e is HttpRequestException || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            return (null, $"the front at {frontUrl} did not answer /_front/traffic: {e.Message}");
        }
    }
}
