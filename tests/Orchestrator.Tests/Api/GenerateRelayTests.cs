using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Orchestrator.Tests.Infrastructure;

namespace Orchestrator.Tests.Api;

/// <summary>
/// The relay against a minimal JetStream-shaped front (the real one is the runner's, tested there): the answer is
/// relayed as it comes, and a dead front is a 502.
/// </summary>
public sealed class GenerateRelayTests(ServerFixture fixture) : IClassFixture<ServerFixture>, IAsyncLifetime
{
    private readonly TaskCompletionSource _secondChunk = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private WebApplication _front = null!;

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        _front = builder.Build();
        _front.MapPost("/generate", async (HttpContext context) =>
        {
            var request = (await context.Request.ReadFromJsonAsync<JsonObject>())!;
            if (request["stream"]?.GetValue<bool>() != true)
            {
                await context.Response.WriteAsJsonAsync(new { response = $"echo:{request["prompt"]}" });
                return;
            }
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync("""{"id":"1","time_created":1,"text":"first"}""" + "\n");
            await context.Response.Body.FlushAsync();
            await _secondChunk.Task.WaitAsync(TimeSpan.FromSeconds(30));
            await context.Response.WriteAsync("""{"id":"1","time_created":2,"text":"second"}""" + "\n");
        });
        await _front.StartAsync();
    }

    public async Task DisposeAsync() => await _front.DisposeAsync();

    private async Task<string> EnvironmentWithFrontAsync(string frontUrl)
    {
        var name = $"gen-{Guid.NewGuid():N}"[..20];
        using var user = await UserClient.CreateAsync(fixture.Server);
        await user.CreateEnvironmentAsync(name);
        await fixture.Database.ExecuteAsync("UPDATE environments SET state = jsonb_build_object('frontUrl', @frontUrl::text) WHERE name = @name", new { name, frontUrl });
        return name;
    }

    [Fact]
    public async Task Generate_RelaysTheFrontsAnswer()
    {
        var environment = await EnvironmentWithFrontAsync(_front.Urls.First());
        using var user = await UserClient.CreateAsync(fixture.Server);

        using var response = await user.Http.PostAsJsonAsync($"/api/environments/{environment}/generate", new { prompt = "hi", max_tokens = 4 });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("echo:hi", (await response.Content.ReadFromJsonAsync<JsonObject>())!["response"]!.GetValue<string>());
    }

    [Fact]
    public async Task Generate_Streaming_RelaysEachChunkAsItComes()
    {
        var environment = await EnvironmentWithFrontAsync(_front.Urls.First());
        using var user = await UserClient.CreateAsync(fixture.Server);
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/environments/{environment}/generate")
        {
            Content = JsonContent.Create(new { prompt = "hi", max_tokens = 4, stream = true }),
        };

        using var response = await user.Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        // The first chunk arrives while the front still holds back the second one.
        var first = await reader.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(30));
        _secondChunk.SetResult();
        var second = await reader.ReadLineAsync();

        Assert.Equal("first", JsonNode.Parse(first!)!["text"]!.GetValue<string>());
        Assert.Equal("second", JsonNode.Parse(second!)!["text"]!.GetValue<string>());
    }

    [Fact]
    public async Task Generate_FrontDown_Is502()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        var environment = await EnvironmentWithFrontAsync($"http://127.0.0.1:{port}");
        using var user = await UserClient.CreateAsync(fixture.Server);

        using var response = await user.Http.PostAsJsonAsync($"/api/environments/{environment}/generate", new { prompt = "hi" });

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }
}
