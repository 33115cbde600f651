using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using CloudTargets;
using Runner.Agent;

namespace Runner.Gke;

/// <summary>Sends the builders' <see cref="CloudRequest"/>s as they are, with a bearer token from ADC. Retries 429, 503,
/// 504 and GKE's "another operation is running" with full-jitter exponential backoff; every other error is thrown as a
/// <see cref="GoogleApiException"/> for the handler to judge (409 ALREADY_EXISTS → adopt, 404 → absent, …).</summary>
internal sealed class GoogleRestClient(HttpClient http, GoogleCredentials credentials, GcpOptions options, TimeProvider time)
{
    private int _calls;

    /// <summary>Calls sent since this client was made (for the benchmark's calls-per-step figure).</summary>
    public int Calls => _calls;

    public async Task<JsonObject> SendAsync(CloudRequest request, IStepLog? log, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await SendOnceAsync(request, cancellationToken);
            }
            catch (GoogleApiException e) when (e.Transient && attempt <= options.MaxRetries)
            {
                var delay = Backoff(attempt);
                log?.Write($"{request.Method} {request.Url}: {e.HttpStatus} {e.Status}, retrying in {delay.TotalSeconds:0.##} s");
                await Task.Delay(delay, time, cancellationToken);
            }
        }
    }

    /// <summary>Full jitter (a random delay up to the exponential bound) keeps many runners from retrying in step.</summary>
    public TimeSpan Backoff(int attempt)
    {
        var bound = Math.Min(options.RetryMax.TotalMilliseconds, options.RetryBase.TotalMilliseconds * Math.Pow(2, attempt - 1));
        return TimeSpan.FromMilliseconds(bound / 2 + Random.Shared.NextDouble() * bound / 2);
    }

    private async Task<JsonObject> SendOnceAsync(CloudRequest request, CancellationToken cancellationToken)
    {
        using var message = new HttpRequestMessage(new HttpMethod(request.Method), request.Url);
        message.Headers.Authorization = new AuthenticationHeaderValue("Bearer", await credentials.AccessTokenAsync(cancellationToken));
        if (request.Body is not null)
        {
            message.Content = new StringContent(request.Body.ToJsonString(), Encoding.UTF8, "application/json");
        }

        Interlocked.Increment(ref _calls);
        using var response = await http.SendAsync(message, cancellationToken);
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        if (response.IsSuccessStatusCode)
        {
            return string.IsNullOrWhiteSpace(text) ? [] : JsonNode.Parse(text) as JsonObject ?? [];
        }

        throw ToException((int)response.StatusCode, text, request.Url);
    }

    private static GoogleApiException ToException(int status, string text, string url)
    {
        try
        {
            if (JsonNode.Parse(text)?["error"] is JsonObject error)
            {
                return new GoogleApiException(status, (string?)error["status"] ?? "", (string?)error["message"] ?? text, url);
            }
        }
        catch (System.Text.Json.JsonException)
        {
            // Not Google's error shape (a proxy's page): keep the text as the message.
        }

        return new GoogleApiException(status, "", text.Length > 500 ? text[..500] : text, url);
    }
}
