using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using EngineImage.Inference;
using EngineImage.Serving;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace EngineImage.Tests.Serving;

/// <summary>The real serving host, in-process on a free loopback port, with an HTTP client pointed at it.</summary>
internal sealed class ServingServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private ServingServer(WebApplication app, Uri address, LogCollector logs)
    {
        _app = app;
        Logs = logs;
        Client = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromMinutes(3) };
    }

    public HttpClient Client { get; }

    public LogCollector Logs { get; }

    public Uri Address => Client.BaseAddress!;

    public static ServeOptions Options(TinyModel model, int slots = 4, int cache = 256, bool bf16 = false, int queue = 64) => new()
    {
        Engine = new EngineOptions
        {
            ModelName = model.ModelName,
            Size = "tiny",
            CheckpointPath = model.CheckpointPath,
            TokenizerPath = model.TokenizerPath,
            BatchSize = slots,
            MaxCacheLength = cache,
            Bf16Enable = bf16,
        },
        Host = IPAddress.Loopback,
        Port = 0,
        QueueCapacity = queue,
        ShutdownGrace = TimeSpan.FromSeconds(2),
    };

    public static async Task<ServingServer> StartAsync(ServeOptions options, LoadEngine? load = null, bool waitLive = true)
    {
        var logs = new LogCollector();
        var app = ServingHost.Build(options, load ?? EngineLoaders.Default, l =>
        {
            l.ClearProviders();
            l.AddProvider(logs);
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        var server = new ServingServer(app, new Uri(address), logs);
        if (waitLive) await server.WaitLiveAsync();
        return server;
    }

    public async Task WaitLiveAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        while (true)
        {
            using var response = await Client.GetAsync("/healthcheck", timeout.Token);
            if (response.StatusCode == HttpStatusCode.OK) return;
            await Task.Delay(50, timeout.Token);
        }
    }

    /// <summary>Non-streaming generation asking for the token ids; throws on anything but 200.</summary>
    public async Task<(string Text, int[] Ids)> GenerateAsync(string prompt, int maxTokens)
    {
        using var response = await Client.PostAsJsonAsync("/generate", new { prompt, max_tokens = maxTokens, return_token_ids = true });
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"/generate answered {(int)response.StatusCode}: {body}");
        using var json = JsonDocument.Parse(body);
        var ids = json.RootElement.GetProperty("token_ids").EnumerateArray().Select(e => e.GetInt32()).ToArray();
        return (json.RootElement.GetProperty("response").GetString()!, ids);
    }

    public async Task<string> MetricsAsync() => await Client.GetStringAsync("/metrics");

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
