using System.Net.Http.Headers;

namespace Orchestrator.Environments;

/// <summary>
/// Forwards a JetStream <c>/generate</c> request to the environment's serving front and relays the answer as it comes
/// (a streamed answer is copied chunk by chunk, flushed at once).
/// </summary>
public sealed partial class GenerateRelay(IHttpClientFactory httpClients, ILogger<GenerateRelay> logger)
{
    public const string ClientName = "generate-relay";

    /// <summary>Null when the answer was relayed; otherwise why the front failed (the caller answers 502).</summary>
    public async Task<string?> RelayAsync(string frontUrl, byte[] body, HttpResponse response, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(response);
        var client = httpClients.CreateClient(ClientName);
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(new Uri(frontUrl.TrimEnd('/') + "/"), "generate"))
        {
            Content = new ByteArrayContent(body),
        };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        HttpResponseMessage answer;
        try
        {
            answer = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        }
        catch (HttpRequestException ex)
        {
            LogFrontFailed(ex, frontUrl);
            return $"The environment's front at {frontUrl} did not answer: {ex.Message}";
        }
        using (answer)
        {
            if ((int)answer.StatusCode >= 500)
            {
                var text = await answer.Content.ReadAsStringAsync(cancellationToken);
                return $"The environment's front answered {(int)answer.StatusCode}: {Truncate(text)}";
            }
            response.StatusCode = (int)answer.StatusCode;
            response.ContentType = answer.Content.Headers.ContentType?.ToString() ?? "application/json";
            await using var stream = await answer.Content.ReadAsStreamAsync(cancellationToken);
            var buffer = new byte[8192];
            int read;
            while ((read = await stream.ReadAsync(buffer, cancellationToken)) > 0)
            {
                await response.Body.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
                await response.Body.FlushAsync(cancellationToken);
            }
            return null;
        }
    }

    private static string Truncate(string text) => text.Length <= 500 ? text : text[..500] + "…";

    [LoggerMessage(Level = LogLevel.Warning, Message = "Generate relay to {FrontUrl} failed")]
    private partial void LogFrontFailed(Exception exception, string frontUrl);
}
