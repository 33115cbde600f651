using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Orchestrator.Cli;

/// <summary>
/// The CLI's HTTP client of the service. Answers are kept as JSON nodes so that <c>--json</c> prints exactly what
/// the API said; a non-2xx answer becomes an <see cref="ApiProblemException"/>, an unreachable server a
/// <see cref="ServerUnreachableException"/> naming the URL.
/// </summary>
public sealed class ApiClient : IDisposable
{
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(100);
    private readonly HttpClient _http;

    public ApiClient(ServerConnection connection)
    {
        ArgumentNullException.ThrowIfNull(connection);
        Server = connection.Server;
        // No client-wide timeout: log streams stay open for as long as a run lasts; plain calls get RequestTimeout.
        _http = new HttpClient { BaseAddress = connection.Server, Timeout = Timeout.InfiniteTimeSpan };
        _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", connection.Token);
        _http.DefaultRequestHeaders.UserAgent.ParseAdd("orchestrator-cli/1.0");
    }

    public Uri Server { get; }

    public Task<JsonNode?> GetAsync(string path, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Get, path, null, cancellationToken);

    public Task<JsonNode?> PostAsync(string path, JsonNode? body, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Post, path, body, cancellationToken);

    public async Task<JsonNode?> SendAsync(HttpMethod method, string path, JsonNode? body, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(RequestTimeout);
        using var request = NewRequest(method, path, body);
        using var response = await SendRawAsync(request, HttpCompletionOption.ResponseContentRead, timeout.Token);
        var text = await response.Content.ReadAsStringAsync(timeout.Token);
        return text.Length == 0 ? null : JsonNode.Parse(text);
    }

    public HttpRequestMessage NewRequest(HttpMethod method, string path, JsonNode? body)
    {
        var request = new HttpRequestMessage(method, path.TrimStart('/'));
        if (body is not null)
            request.Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json");
        return request;
    }

    /// <summary>Sends and checks the status; the caller owns (and disposes) the successful response.</summary>
    public async Task<HttpResponseMessage> SendRawAsync(HttpRequestMessage request, HttpCompletionOption completion, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        HttpResponseMessage response;
        try
        {
            response = await _http.SendAsync(request, completion, cancellationToken);
        }
        catch (HttpRequestException e)
        {
            throw new ServerUnreachableException($"cannot reach the orchestrator at {Server}: {e.Message}", e);
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested || e is TaskCanceledException { InnerException: TimeoutException })
        {
            throw new ServerUnreachableException($"the orchestrator at {Server} did not answer in time", e);
        }
        if (response.IsSuccessStatusCode) return response;
        using (response)
        {
            throw await ReadProblemAsync(response, cancellationToken);
        }
    }

    private static async Task<ApiProblemException> ReadProblemAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var status = (int)response.StatusCode;
        var fallbackTitle = string.IsNullOrEmpty(response.ReasonPhrase) ? $"HTTP {status}" : response.ReasonPhrase;
        string text;
        try
        {
            text = await response.Content.ReadAsStringAsync(cancellationToken);
        }
        catch (HttpRequestException)
        {
            return new ApiProblemException(status, fallbackTitle, null, new Dictionary<string, IReadOnlyList<string>>());
        }
        JsonObject? problem = null;
        try
        {
            problem = JsonNode.Parse(text) as JsonObject;
        }
        catch (JsonException)
        {
            // Not problem+json (a proxy's error page, say): the status and the start of the body are all we have.
        }
        if (problem is null)
        {
            var snippet = text.Trim();
            return new ApiProblemException(status, fallbackTitle, snippet.Length == 0 ? null : snippet[..Math.Min(200, snippet.Length)],
                new Dictionary<string, IReadOnlyList<string>>());
        }
        var title = AsText(problem["title"]) ?? fallbackTitle;
        var detail = AsText(problem["detail"]);
        return new ApiProblemException(status, title, detail, ReadErrors(problem["errors"]));
    }

    private static Dictionary<string, IReadOnlyList<string>> ReadErrors(JsonNode? node)
    {
        var errors = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        if (node is not JsonObject fields) return errors;
        foreach (var (field, value) in fields)
        {
            errors[field] = value switch
            {
                JsonArray messages => messages.Select(AsText).OfType<string>().ToList(),
                _ => AsText(value) is { } single ? [single] : [],
            };
        }
        return errors;
    }

    private static string? AsText(JsonNode? node) => node switch
    {
        null => null,
        JsonValue value when value.TryGetValue<string>(out var s) => s,
        _ => node.ToJsonString(),
    };

    public void Dispose() => _http.Dispose();
}
