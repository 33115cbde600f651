using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.RegularExpressions;

namespace EngineImage.Tests.Serving;

/// <summary>A full queue is refused with 503 and <c>Retry-After</c>; a client that goes away frees its slot.</summary>
[Collection(ServingCollection.Name)]
public sealed partial class BackpressureTests(TinyModelFixture model)
{
    [Fact]
    public async Task Generate_QueueFull_Answers503WithRetryAfter_AndAbandonedRequestsFreeTheirSlots()
    {
        await using var server = await ServingServer.StartAsync(ServingServer.Options(model.Model, slots: 1, cache: 4096, queue: 1));
        using var cancelA = new CancellationTokenSource();
        using var cancelB = new CancellationTokenSource();

        // A takes the only slot (its first chunk proves it), B waits in the queue of one.
        var a = await OpenStreamAsync(server, cancelA.Token);
        Assert.NotNull(await a.Reader.ReadLineAsync());
        var b = OpenStreamAsync(server, cancelB.Token);
        await WaitForMetricAsync(server, BacklogLine(), 1);

        using (var c = await server.Client.PostAsJsonAsync("/generate", new { prompt = "one too many", max_tokens = 5 }))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, c.StatusCode);
            Assert.Equal(TimeSpan.FromSeconds(1), c.Headers.RetryAfter?.Delta);
            Assert.Equal("application/problem+json", c.Content.Headers.ContentType?.MediaType);
        }

        await cancelA.CancelAsync();
        a.Dispose();
        var bStream = await b;      // B gets the slot A freed and starts streaming
        Assert.NotNull(await bStream.Reader.ReadLineAsync());
        await cancelB.CancelAsync();
        bStream.Dispose();
        await WaitForMetricAsync(server, CancelledLine(), 2);
        await WaitForMetricAsync(server, SlotsLine(), 0);
        Assert.Matches("""(?m)^jetstream_request_rejected_count_total\{[^}]*reason="queue_full"\} 1\.0$""", await server.MetricsAsync());
    }

    private static async Task<OpenStream> OpenStreamAsync(ServingServer server, CancellationToken cancellationToken)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/generate")
        {
            Content = JsonContent.Create(new { prompt = "Write a very long story about the sea", max_tokens = 4000, stream = true }),
        };
        var response = await server.Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return new OpenStream(request, response, new StreamReader(await response.Content.ReadAsStreamAsync(cancellationToken)));
    }

    private static async Task WaitForMetricAsync(ServingServer server, Regex line, double expected)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        string text;
        do
        {
            text = await server.MetricsAsync();
            var match = line.Match(text);
            if (match.Success && double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture) == expected) return;
            await Task.Delay(25);
        }
        while (DateTime.UtcNow < deadline);
        Assert.Fail($"metric {line} never reached {expected}:\n{text}");
    }

    [GeneratedRegex(@"(?m)^jetstream_prefill_backlog_size\{[^}]*\} (\S+)$")]
    private static partial Regex BacklogLine();

    [GeneratedRegex(@"(?m)^jetstream_request_cancelled_count_total\{[^}]*\} (\S+)$")]
    private static partial Regex CancelledLine();

    [GeneratedRegex(@"(?m)^jetstream_slots_used_percentage\{[^}]*\} (\S+)$")]
    private static partial Regex SlotsLine();

    private sealed record OpenStream(HttpRequestMessage Request, HttpResponseMessage Response, StreamReader Reader) : IDisposable
    {
        public void Dispose()
        {
            Reader.Dispose();
            Response.Dispose();
            Request.Dispose();
        }
    }
}
