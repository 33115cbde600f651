using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Contracts.Specs;

namespace Runner.HuggingFace;

/// <summary>
/// The two calls of the Hugging Face Hub's HTTP API that a download needs: the revision's file listing
/// (<c>GET /api/models/REPO/revision/REV?blobs=true</c>) and a file's bytes (<c>GET /REPO/resolve/COMMIT/PATH</c>, which
/// answers 302 to a CDN). The token goes only to the Hub: <see cref="SocketsHttpHandler"/> follows the redirects and
/// drops the <c>Authorization</c> header on every one of them, so a CDN never sees it. Thread safe.
/// </summary>
internal sealed class HubClient(HttpClient http, Uri endpoint)
{
    public Uri Endpoint { get; } = endpoint;

    /// <summary>An HTTP client for the Hub: redirects followed, no overall timeout (a file may take an hour; stalls are
    /// caught per read by the caller).</summary>
    public static HttpClient CreateHttpClient() => new(new SocketsHttpHandler
    {
        AllowAutoRedirect = true,
        MaxAutomaticRedirections = 5,
        ConnectTimeout = TimeSpan.FromSeconds(30),
        AutomaticDecompression = DecompressionMethods.None,
    })
    {
        Timeout = Timeout.InfiniteTimeSpan,
    };

    /// <exception cref="HubException">No access (401/403), or no such repository or revision (404).</exception>
    public async Task<HubRevision> GetRevisionAsync(HubSource source, string? token, CancellationToken cancellationToken)
    {
        var uri = new Uri(Endpoint, $"api/models/{source.Repository}/revision/{Uri.EscapeDataString(source.Revision)}?blobs=true");
        using var request = Request(uri, token);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(60));
        JsonNode? body;
        try
        {
            using var response = await http.SendAsync(request, timeout.Token);
            ThrowForRefusal(response, source.Repository, token, $"revision {source.Revision} of {source.Repository}");
            if (!response.IsSuccessStatusCode)
            {
                throw new HubException($"the Hub at {Endpoint} answered HTTP {(int)response.StatusCode} to the look-up of {source}");
            }

            body = JsonNode.Parse(await response.Content.ReadAsStringAsync(timeout.Token));
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new HubException($"the Hub at {Endpoint} did not answer the look-up of {source} within 60 s");
        }
        catch (HttpRequestException e)
        {
            throw new HubException($"the Hub at {Endpoint} could not be reached to look up {source}: {e.Message}", e);
        }

        var commit = (string?)body?["sha"] ?? throw new HubException($"the Hub at {Endpoint} answered no commit sha for {source}");
        var files = (body?["siblings"] as JsonArray ?? []).OfType<JsonObject>().Select(ToFile).OfType<HubFile>().ToList();
        return new HubRevision(commit, files);
    }

    /// <summary>Asks for a file's bytes from <paramref name="offset"/> on (a <c>Range</c> request when above zero); the
    /// caller reads the body and tells 200, 206 and 416 apart.</summary>
    /// <exception cref="HubException">No access, or no such file.</exception>
    public async Task<HttpResponseMessage> GetFileAsync(
        string repository, string commit, string path, string? token, long offset, CancellationToken cancellationToken)
    {
        var escaped = string.Join('/', path.Split('/').Select(Uri.EscapeDataString));
        using var request = Request(new Uri(Endpoint, $"{repository}/resolve/{commit}/{escaped}"), token);
        if (offset > 0)
        {
            request.Headers.Range = new RangeHeaderValue(offset, null);
        }

        var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        try
        {
            ThrowForRefusal(response, repository, token, $"{path} of {repository} at {commit}");
            return response;
        }
        catch
        {
            response.Dispose();
            throw;
        }
    }

    private static HttpRequestMessage Request(Uri uri, string? token)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, uri);
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return request;
    }

    private void ThrowForRefusal(HttpResponseMessage response, string repository, string? token, string what)
    {
        switch (response.StatusCode)
        {
            case HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden when token is null:
                throw new HubException(
                    $"{repository} needs a Hugging Face token (a gated or private model, HTTP {(int)response.StatusCode}): " +
                    "give a huggingFaceToken reference to a token that may read it");
            case HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden:
                throw new HubException(
                    $"the Hugging Face token lacks access to {repository} (HTTP {(int)response.StatusCode}): a gated model needs " +
                    "its terms accepted on the Hub by the token's user, a private one a token of a member");
            case HttpStatusCode.NotFound:
                throw new HubException($"{what} not found on {Endpoint}: check the repository and the revision");
        }
    }

    private static HubFile? ToFile(JsonObject sibling)
    {
        if ((string?)sibling["rfilename"] is not { Length: > 0 } path)
        {
            return null;
        }

        var lfs = sibling["lfs"] as JsonObject;
        var size = (long?)lfs?["size"] ?? (long?)sibling["size"] ?? -1;
        return new HubFile(path, size, ((string?)lfs?["sha256"])?.ToLowerInvariant(), (string?)sibling["blobId"]);
    }
}
