using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using EngineImage.Serving;
using EngineImage.Tokenization;

namespace EngineImage.Tests.Serving;

/// <summary>The jetstream-http contract: <c>/</c>, <c>/healthcheck</c> before and after load, <c>/generate</c> in both
/// modes, <c>/metrics</c>.</summary>
[Collection(ServingCollection.Name)]
public sealed class HttpContractTests(TinyModelFixture model)
{
    [Fact]
    public async Task Healthcheck_WhileWeightsLoad_Answers500ThenLive200()
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        LoadEngine gated = async (options, ct) =>
        {
            await gate.Task.WaitAsync(ct);
            return await EngineLoaders.Default(options, ct);
        };
        await using var server = await ServingServer.StartAsync(ServingServer.Options(model.Model), gated, waitLive: false);

        using (var loading = await server.Client.GetAsync("/healthcheck"))
        {
            Assert.Equal(HttpStatusCode.InternalServerError, loading.StatusCode);
            using var body = JsonDocument.Parse(await loading.Content.ReadAsStringAsync());
            Assert.False(body.RootElement.GetProperty("response").GetProperty("is_live").GetBoolean());
        }
        using (var early = await server.Client.PostAsJsonAsync("/generate", new { prompt = "Hello" }))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, early.StatusCode);
            Assert.True(early.Headers.Contains("Retry-After"));
        }
        Assert.Contains("Started jetstream_server....", server.Logs.Lines);
        Assert.DoesNotContain("---------Generate params 0 loaded.---------", server.Logs.Lines);

        gate.SetResult();
        await server.WaitLiveAsync();
        using var live = await server.Client.GetAsync("/healthcheck");
        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        Assert.Equal("""{"response":{"is_live":true}}""", await live.Content.ReadAsStringAsync());
        var lines = server.Logs.Lines.ToList();
        Assert.True(lines.IndexOf("Started jetstream_server....") < lines.IndexOf("---------Generate params 0 loaded.---------"));
    }

    [Fact]
    public async Task Root_Answers_AJsonGreeting()
    {
        var server = await model.SharedServerAsync();
        using var body = JsonDocument.Parse(await server.Client.GetStringAsync("/"));
        Assert.Equal("JetStream HTTP Server", body.RootElement.GetProperty("message").GetString());
    }

    [Fact]
    public async Task Generate_NonStreaming_AnswersResponseTextOnly()
    {
        var server = await model.SharedServerAsync();
        using var response = await server.Client.PostAsJsonAsync("/generate", new { prompt = "Tell me a story", max_tokens = 12 });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(["response"], body.RootElement.EnumerateObject().Select(p => p.Name));
        Assert.Equal(JsonValueKind.String, body.RootElement.GetProperty("response").ValueKind);
    }

    [Theory]
    [InlineData("Tell me a story about a dragon", 40)]
    [InlineData("Grüße aus Köln — 日本語 🙂 ½", 60)]
    public async Task Generate_Streaming_ConcatenatesToTheNonStreamingResponse(string prompt, int maxTokens)
    {
        var server = await model.SharedServerAsync();
        var (whole, ids) = await server.GenerateAsync(prompt, maxTokens);

        using var request = new HttpRequestMessage(HttpMethod.Post, "/generate")
        {
            Content = JsonContent.Create(new { prompt, max_tokens = maxTokens, stream = true }),
        };
        using var response = await server.Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/x-ndjson", response.Content.Headers.ContentType?.MediaType);
        var chunks = new List<string>();
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(), Encoding.UTF8);
        while (await reader.ReadLineAsync() is { } line)
        {
            using var chunk = JsonDocument.Parse(line);
            Assert.False(string.IsNullOrEmpty(chunk.RootElement.GetProperty("id").GetString()));
            Assert.True(chunk.RootElement.GetProperty("time_created").GetInt64() > 1_700_000_000);
            chunks.Add(chunk.RootElement.GetProperty("text").GetString()!);
        }

        Assert.Equal(whole, string.Concat(chunks));
        Assert.All(chunks.SkipLast(1), c => Assert.False(c.EndsWith('\uFFFD'), $"chunk '{c}' splits a character"));
        var tokenizer = TokenizerLoader.Load(model.Model.ModelName, model.Model.TokenizerPath);
        Assert.Equal(tokenizer.Decode(ids), whole);
    }

    [Fact]
    public async Task Generate_PromptNearTheCacheEnd_StopsWhenTheCacheIsFull()
    {
        var server = await model.SharedServerAsync();
        var tokenizer = TokenizerLoader.Load(model.Model.ModelName, model.Model.TokenizerPath);
        var prompt = "tick tock";
        while (tokenizer.Encode(prompt, addBos: true).Count < 230) prompt += " tick tock";
        var promptTokens = tokenizer.Encode(prompt, addBos: true).Count;

        var (_, ids) = await server.GenerateAsync(prompt, 100);

        // The prompt fills positions [0, P); each decode step writes one more, up to the last of the 256.
        Assert.Equal(256 - promptTokens + 1, ids.Length);
    }

    [Fact]
    public async Task Metrics_AfterARequest_ExposesJetStreamNamesAndCounts()
    {
        await using var server = await ServingServer.StartAsync(ServingServer.Options(model.Model, slots: 4));
        await server.GenerateAsync("Hello there", 6);
        using (await server.Client.PostAsJsonAsync("/generate", new { prompt = 3 })) { }

        using var response = await server.Client.GetAsync("/metrics");
        Assert.Equal("text/plain", response.Content.Headers.ContentType?.MediaType);
        var text = await response.Content.ReadAsStringAsync();
        foreach (var name in new[]
                 {
                     "# TYPE jetstream_slots_used_percentage gauge", "# TYPE jetstream_prefill_backlog_size gauge",
                     "# TYPE jetstream_time_to_first_token histogram", "# TYPE jetstream_time_per_output_token histogram",
                     "# TYPE jetstream_request_input_length histogram", "# TYPE jetstream_request_output_length histogram",
                     "# TYPE jetstream_request_success_count_total counter",
                 })
        {
            Assert.Contains(name, text);
        }
        Assert.Matches("""(?m)^jetstream_request_success_count_total\{id="[^"]+",model_name="llama_3"\} 1\.0$""", text);
        Assert.Matches("""(?m)^jetstream_request_rejected_count_total\{[^}]*reason="bad_request"\} 1\.0$""", text);
        Assert.Matches("""(?m)^jetstream_time_to_first_token_count\{[^}]*\} 1\.0$""", text);
        Assert.Matches("""(?m)^jetstream_slots_used_percentage\{[^}]*idx="0"\} 0\.0$""", text);
        Assert.Matches("""(?m)^jetstream_prefill_backlog_size\{[^}]*\} 0\.0$""", text);
    }
}
