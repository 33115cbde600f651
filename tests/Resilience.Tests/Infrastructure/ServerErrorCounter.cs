using System.Collections.Concurrent;
using System.Net.Http.Headers;

namespace Resilience.Tests.Infrastructure;

/// <summary>Counts every 5xx answer the test's own clients see. Every client a suite makes goes through one of these,
/// so "0 answers 5xx" covers the whole suite, faults included. Thread safe.</summary>
public sealed class ServerErrorCounter
{
    private readonly ConcurrentQueue<string> _seen = new();

    public int Count => _seen.Count;
    public IEnumerable<string> Seen => _seen;

    public HttpClient Client(Uri baseAddress, string? token = null, TimeSpan? timeout = null)
    {
        var client = new HttpClient(new Handler(this) { InnerHandler = new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromSeconds(30) } })
        {
            BaseAddress = baseAddress,
            Timeout = timeout ?? TimeSpan.FromSeconds(60),
        };
        if (token is not null) client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    public string Describe() => $"{Count} answers 5xx: {string.Join("; ", _seen.Take(5))}";

    private sealed class Handler(ServerErrorCounter counter) : DelegatingHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var response = await base.SendAsync(request, cancellationToken);
            if ((int)response.StatusCode >= 500)
            {
                var body = response.Content is null ? "" : await response.Content.ReadAsStringAsync(cancellationToken);
                counter._seen.Enqueue($"{DateTime.UtcNow:HH:mm:ss.fff} {request.Method} {request.RequestUri?.PathAndQuery} -> {(int)response.StatusCode} {body[..Math.Min(300, body.Length)]}");
            }
            return response;
        }
    }
}
