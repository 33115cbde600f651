using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Runner.Tests.Front;

/// <summary>A small real HTTP server on a free port that answers like an engine and says who it is.</summary>
internal sealed class TestBackend : IAsyncDisposable
{
    private readonly WebApplication _app;

    private TestBackend(WebApplication app, string name, int port)
    {
        _app = app;
        Name = name;
        Url = $"http://127.0.0.1:{port}";
    }

    public string Name { get; }
    public string Url { get; }

    /// <summary>Completed by the test to let a streamed answer finish.</summary>
    public TaskCompletionSource ReleaseStream { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public static async Task<TestBackend> StartAsync(string name)
    {
        var port = FreePort.Next();
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var backend = new TestBackend(app, name, port);
        app.MapGet("/healthcheck", () => Results.Json(new { response = new { is_live = true } }));
        app.MapPost("/generate", async (HttpContext context) =>
        {
            using var reader = new StreamReader(context.Request.Body);
            var body = await reader.ReadToEndAsync();
            if (!body.Contains("\"stream\":true", StringComparison.Ordinal))
            {
                await context.Response.WriteAsJsonAsync(new { response = name });
                return;
            }

            await context.Response.WriteAsync("{\"text\":\"first\"}\n");
            await context.Response.Body.FlushAsync();
            await backend.ReleaseStream.Task.WaitAsync(TimeSpan.FromSeconds(60));
            await context.Response.WriteAsync("{\"text\":\"last\"}\n");
        });
        await app.StartAsync();
        return backend;
    }

    public async ValueTask DisposeAsync()
    {
        ReleaseStream.TrySetResult();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
