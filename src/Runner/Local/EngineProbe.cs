namespace Runner.Local;

/// <summary>Asks engines and fronts on this machine whether they are live. Never goes through a proxy.</summary>
internal sealed class EngineProbe(HttpClient http)
{
    public HttpClient Http => http;

    public async Task<bool> IsLiveAsync(string baseUrl, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(3));
        try
        {
            using var response = await http.GetAsync($"{baseUrl}/healthcheck", timeout.Token);
            return response.IsSuccessStatusCode;
        }
        catch (Exception e) when (e is HttpRequestException || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            return false;
        }
    }

    public static HttpClient CreateClient() =>
        new(new SocketsHttpHandler { UseProxy = false, ConnectTimeout = TimeSpan.FromSeconds(3) })
        {
            Timeout = Timeout.InfiniteTimeSpan,
        };
}
