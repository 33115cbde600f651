using System.Text.Json;
using System.Text.Json.Nodes;
using Runner.Analysis;

namespace Runner.Kubernetes;

/// <summary>
/// HTTP to a pod's port through the API server's pod proxy (<c>/api/v1/namespaces/NS/pods/POD:PORT/proxy/PATH</c>),
/// sent with the Kubernetes client's own HTTP client, TLS settings and credentials: it needs the API server and RBAC on
/// <c>pods/proxy</c>, no port-forward and no route to pod or Service addresses. When the API server answers for the pod
/// (its Status object: no such pod, no route to it, forbidden) or cannot be reached, the request fails with
/// <see cref="EngineUnreachableException"/>; whatever the pod answers is returned as it is.
/// </summary>
internal sealed class PodProxy(k8s.Kubernetes client)
{
    public string BaseUrl(string ns, string pod, int port) =>
        new Uri(client.BaseUri, $"api/v1/namespaces/{Uri.EscapeDataString(ns)}/pods/{Uri.EscapeDataString(pod)}:{port}/proxy").AbsoluteUri;

    /// <summary>A client for <see cref="BaseUrl"/>s, disposed by its caller (the Kubernetes client stays open).</summary>
    public HttpClient CreateHttpClient() => new(new Handler(client)) { Timeout = Timeout.InfiniteTimeSpan };

    private sealed class Handler(k8s.Kubernetes client) : HttpMessageHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            // An HttpClient sends a message once: the Kubernetes client's gets a copy, which its credentials sign.
            using var forward = new HttpRequestMessage(request.Method, request.RequestUri) { Content = request.Content, Version = request.Version };
            foreach (var header in request.Headers) forward.Headers.TryAddWithoutValidation(header.Key, header.Value);
            if (client.Credentials is { } credentials) await credentials.ProcessHttpRequestAsync(forward, cancellationToken);
            HttpResponseMessage response;
            try
            {
                response = await client.HttpClient.SendAsync(forward, cancellationToken);
            }
            catch (HttpRequestException e)
            {
                throw new EngineUnreachableException($"the Kubernetes API server could not be reached: {e.Message}", e);
            }

            if (!response.IsSuccessStatusCode && await ApiStatusAsync(response, cancellationToken) is { } status)
            {
                response.Dispose();
                throw new EngineUnreachableException($"the API server's pod proxy answered {(int)response.StatusCode} {status}");
            }

            return response;
        }

        // The engine answers problem+json or plain text; only the API server answers with a Status object.
        private static async Task<string?> ApiStatusAsync(HttpResponseMessage response, CancellationToken cancellationToken)
        {
            if (response.Content.Headers.ContentType?.MediaType != "application/json") return null;
            try
            {
                var body = JsonNode.Parse(await response.Content.ReadAsStringAsync(cancellationToken));
                return (string?)body?["kind"] == "Status" ? $"{(string?)body?["reason"]}: {(string?)body?["message"]}" : null;
            }
            catch (Exception e) when (e is JsonException or InvalidOperationException)
            {
                return null;
            }
        }
    }
}
