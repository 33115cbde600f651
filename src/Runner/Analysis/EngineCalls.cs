using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace Runner.Analysis;

/// <summary>The engine HTTP calls analyses make: a greedy <c>/generate</c> (its text and latency, or why it failed) and
/// <c>/metrics</c>.</summary>
internal static class EngineCalls
{
    /// <param name="Reached">False when the request never reached the engine (<see cref="EngineUnreachableException"/>):
    /// such an answer is no data, not an error of the revision.</param>
    public sealed record Answer(bool Ok, string Text, double Milliseconds, string? Error, bool Reached = true);

    public static async Task<Answer> GenerateAsync(HttpClient http, string baseUrl, string prompt, int maxTokens, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(60));
        var watch = Stopwatch.StartNew();
        try
        {
            // Temperature 0 is greedy: the same weights give the same text.
            using var response = await http.PostAsJsonAsync($"{baseUrl}/generate",
                new { prompt, max_tokens = maxTokens, stream = false, temperature = 0 }, timeout.Token);
            var body = await response.Content.ReadAsStringAsync(timeout.Token);
            var ms = watch.Elapsed.TotalMilliseconds;
            if (!response.IsSuccessStatusCode) return new Answer(false, "", ms, $"{(int)response.StatusCode}");
            return JsonNode.Parse(body)?["response"] is JsonValue text
                ? new Answer(true, text.GetValue<string>(), ms, null)
                : new Answer(false, "", ms, "no response text");
        }
        catch (EngineUnreachableException e)
        {
            return new Answer(false, "", watch.Elapsed.TotalMilliseconds, e.Message, Reached: false);
        }
        catch (Exception e) when (e is HttpRequestException or System.Text.Json.JsonException
                                   || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            return new Answer(false, "", watch.Elapsed.TotalMilliseconds, e.Message);
        }
    }

    public static async Task<string?> MetricsAsync(HttpClient http, string baseUrl, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(10));
        try
        {
            return await http.GetStringAsync($"{baseUrl}/metrics", timeout.Token);
        }
        catch (Exception e) when (e is HttpRequestException || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            return null;
        }
    }
}
