using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Runner.Analysis;
using Runner.Front;

namespace Runner.Tests.Front;

public sealed class FrontTests : IAsyncLifetime
{
    private readonly TempDir _dir = new();
    private readonly HttpClient _http = new(new SocketsHttpHandler { UseProxy = false }) { Timeout = TimeSpan.FromSeconds(60) };
    private WebApplication _front = null!;
    private string _frontUrl = "";
    private long _version;

    public async Task InitializeAsync()
    {
        var port = FreePort.Next();
        _front = FrontApp.Build(new FrontOptions { StateDir = _dir.Path, Environment = "local", Port = port });
        await _front.StartAsync();
        _frontUrl = $"http://127.0.0.1:{port}";
    }

    public async Task DisposeAsync()
    {
        await _front.StopAsync();
        await _front.DisposeAsync();
        _http.Dispose();
        _dir.Dispose();
    }

    [Fact]
    public async Task Generate_EightyTwentySplit_SendsTrafficByWeight()
    {
        await using var stable = await TestBackend.StartAsync("stable");
        await using var canary = await TestBackend.StartAsync("canary");
        await PublishAsync(new RevisionRoute("r1", 80, [stable.Url]), new RevisionRoute("r2", 20, [canary.Url]));

        var answers = new List<string>();
        for (var i = 0; i < 300; i++)
        {
            answers.Add(await GenerateAsync());
        }

        var canaryShare = answers.Count(a => a == "canary") / 300.0;
        Assert.Equal(300, answers.Count(a => a is "stable" or "canary"));
        Assert.InRange(canaryShare, 0.10, 0.32);
    }

    [Fact]
    public async Task Generate_DestinationRefusesConnections_RetriesOnAnotherAndEveryRequestSucceeds()
    {
        await using var live = await TestBackend.StartAsync("live");
        var dead = $"http://127.0.0.1:{FreePort.Next()}";
        await PublishAsync(new RevisionRoute("r1", 50, [dead]), new RevisionRoute("r2", 50, [live.Url]));

        for (var i = 0; i < 40; i++)
        {
            Assert.Equal("live", await GenerateAsync());
        }
    }

    [Fact]
    public async Task Generate_RevisionStopsWhileRouted_RequestsKeepSucceeding()
    {
        var retiring = await TestBackend.StartAsync("old");
        await using var next = await TestBackend.StartAsync("new");
        await PublishAsync(new RevisionRoute("r1", 99, [retiring.Url]), new RevisionRoute("r2", 1, [next.Url]));
        await Eventually.TrueAsync(async () => await GenerateAsync() == "old", "the old revision to answer");

        // Stopped while the front still believes it live: nearly every request below picks it first and must be
        // retried on the other revision, before the front's next healthcheck notices.
        await retiring.DisposeAsync();
        var answers = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => GenerateAsync()));

        Assert.All(answers, a => Assert.Equal("new", a));
    }

    [Fact]
    public async Task Routes_TableRewritten_FrontReportsNewVersionAndRoutesByIt()
    {
        await using var first = await TestBackend.StartAsync("first");
        await using var second = await TestBackend.StartAsync("second");
        await PublishAsync(new RevisionRoute("r1", 100, [first.Url]));
        Assert.Equal("first", await GenerateAsync());

        await PublishAsync(new RevisionRoute("r2", 100, [second.Url]));

        for (var i = 0; i < 10; i++)
        {
            Assert.Equal("second", await GenerateAsync());
        }
    }

    [Fact]
    public async Task Healthcheck_LiveOnlyWhileAWeightedRevisionIsLive()
    {
        await using var backend = await TestBackend.StartAsync("only");
        await PublishAsync(new RevisionRoute("r1", 100, [$"http://127.0.0.1:{FreePort.Next()}"]));
        Assert.Equal(HttpStatusCode.InternalServerError, (await _http.GetAsync($"{_frontUrl}/healthcheck")).StatusCode);

        await PublishAsync(new RevisionRoute("r2", 100, [backend.Url]));

        await Eventually.TrueAsync(
            async () => (await _http.GetAsync($"{_frontUrl}/healthcheck")).StatusCode == HttpStatusCode.OK, "the front to report live");
    }

    [Fact]
    public async Task Generate_Streaming_FirstChunkArrivesBeforeTheAnswerEnds()
    {
        await using var backend = await TestBackend.StartAsync("streamer");
        await PublishAsync(new RevisionRoute("r1", 100, [backend.Url]));

        using var request = new HttpRequestMessage(HttpMethod.Post, $"{_frontUrl}/generate")
        {
            Content = new StringContent("{\"prompt\":\"hi\",\"stream\":true}", System.Text.Encoding.UTF8, "application/json"),
        };
        using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());

        Assert.Equal("{\"text\":\"first\"}", await reader.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(30)));
        backend.ReleaseStream.SetResult();
        Assert.Equal("{\"text\":\"last\"}", await reader.ReadLineAsync());
    }

    [Fact]
    public async Task Generate_NoRoutes_AnswersProblem503()
    {
        using var response = await _http.PostAsJsonAsync($"{_frontUrl}/generate", new { prompt = "hi" });

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Traffic_RecordsEachRevisionsRequestsFailuresAndLatency()
    {
        await using var stable = await TestBackend.StartAsync("stable");
        await using var canary = await TestBackend.StartAsync("canary");
        await PublishAsync(new RevisionRoute("r1", 50, [stable.Url]), new RevisionRoute("r2", 50, [canary.Url]));
        var answers = new List<string>();
        for (var i = 0; i < 100; i++) answers.Add(await GenerateAsync());
        var dead = $"http://127.0.0.1:{FreePort.Next()}";
        await PublishAsync(new RevisionRoute("r3", 100, [dead]));
        for (var i = 0; i < 3; i++)
        {
            // Nowhere else to go: the refused connection is the answer, not an empty success.
            using var refused = await _http.PostAsJsonAsync($"{_frontUrl}/generate", new { prompt = "hi", max_tokens = 2 });
            Assert.Equal(HttpStatusCode.BadGateway, refused.StatusCode);
        }

        var text = await _http.GetStringAsync($"{_frontUrl}/_front/traffic");

        var r1 = Read(text, "r1");
        var r2 = Read(text, "r2");
        var r3 = Read(text, "r3");
        Assert.Equal(answers.Count(a => a == "stable"), r1.Requests);
        Assert.Equal(answers.Count(a => a == "canary"), r2.Requests);
        Assert.Equal((0.0, 0.0), (r1.Errors, r2.Errors));
        Assert.Equal((3.0, 3.0), (r3.Requests, r3.Errors));
        Assert.Equal(r1.Requests, r1.Buckets[^1].Count);
        Assert.InRange(r1.Quantile(0.99)!.Value, 0.0001, 5);
        // Another reading subtracts into the window between them.
        await PublishAsync(new RevisionRoute("r1", 100, [stable.Url]));
        await GenerateAsync();
        var window = Read(await _http.GetStringAsync($"{_frontUrl}/_front/traffic"), "r1").Minus(r1)!;
        Assert.Equal(1, window.Requests);
        Assert.Equal(1, window.Buckets[^1].Count);
    }

    [Fact]
    public async Task TrafficFeed_RevisionNotYetServed_HasNoFailuresSoTheFirstWindowCountsThem()
    {
        await using var canary = await TestBackend.StartAsync("canary");
        var feed = new Runner.Local.FrontTrafficFeed(_http, _frontUrl);
        var before = (await feed.ReadAsync("r2", CancellationToken.None)).Readings!["front"];
        Assert.Equal((0.0, 0.0), (before.Requests, before.Errors));

        await PublishAsync(new RevisionRoute("r2", 100, [canary.Url]));
        await GenerateAsync();
        var window = (await feed.ReadAsync("r2", CancellationToken.None)).Readings!["front"].Minus(before)!;

        Assert.Equal((1.0, 0.0), (window.Requests, window.Errors));
    }

    private static TrafficCounts Read(string text, string revision) =>
        TrafficCounts.Read(text, [FrontTraffic.Requests], FrontTraffic.Errors, FrontTraffic.Duration, requestsIncludeErrors: true, label: $"revision=\"{revision}\"");

    private async Task PublishAsync(params RevisionRoute[] routes)
    {
        var table = new RouteTable { Version = ++_version, Revisions = routes };
        table.Save(Path.Combine(_dir.Path, "local", "routes.json"));
        await Eventually.TrueAsync(async () =>
        {
            var loaded = await _http.GetFromJsonAsync<JsonObject>($"{_frontUrl}/_front/routes");
            return loaded?["version"]?.GetValue<long>() == table.Version;
        }, $"the front to load version {table.Version}");
    }

    private async Task<string> GenerateAsync()
    {
        using var response = await _http.PostAsJsonAsync($"{_frontUrl}/generate", new { prompt = "hi", max_tokens = 2 });
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode}: {body}");
        return JsonNode.Parse(body)!["response"]!.GetValue<string>();
    }
}
