using System.Diagnostics;
using Runner.Analysis;

namespace Runner.Health;

/// <summary>The calls a health probe makes to a front or an engine: <c>/healthcheck</c> and a one-token greedy
/// <c>/generate</c>, each with a short timeout.</summary>
internal static class ProbeCalls
{
    public const string Prompt = "ping";

    public static async Task<(bool Ok, string? Error)> HealthcheckAsync(HttpClient http, string baseUrl, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(5));
        try
        {
            using var response = await http.GetAsync($"{baseUrl}/healthcheck", timeout.Token);
            return response.IsSuccessStatusCode ? (true, null) : (false, $"/healthcheck answered {(int)response.StatusCode}");
        }
        catch (Exception e) when (e is HttpRequestException or EngineUnreachableException
                                   || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            return (false, $"/healthcheck: {e.Message}");
        }
    }

    public static async Task<EngineCalls.Answer> GenerateAsync(HttpClient http, string baseUrl, CancellationToken cancellationToken) =>
        await EngineCalls.GenerateAsync(http, baseUrl, Prompt, 1, cancellationToken);

    public static async Task<IReadOnlyList<string>> MetricsAsync(HttpClient http, IEnumerable<string> baseUrls, CancellationToken cancellationToken)
    {
        var texts = new List<string>();
        foreach (var url in baseUrls)
            if (await EngineCalls.MetricsAsync(http, url, cancellationToken) is { } text) texts.Add(text);
        return texts;
    }
}
