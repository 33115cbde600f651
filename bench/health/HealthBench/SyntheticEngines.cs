using System.Collections.Concurrent;
using System.Globalization;
using System.Net;

namespace HealthBench;

/// <summary>
/// The child process that stands in for every environment's front and engine replicas: one Kestrel app listening on
/// each port of the fleet, answering as the engine does. <c>GET /healthcheck</c> 200 <c>{"response":{"is_live":true}}</c>,
/// <c>POST /generate</c> <c>{"response":"…"}</c> (what the front relays from the engine), <c>GET /metrics</c> the engine's
/// exposition text with the histograms of the port's own simulated traffic. Prints <c>ready</c> once every port is bound
/// and exits when its standard input closes (the bench ended, or died).
/// </summary>
internal static class SyntheticEngines
{
    public static async Task<int> RunAsync(string portsFile)
    {
        var ports = (await File.ReadAllLinesAsync(portsFile)).Where(l => l.Length > 0).Select(l => int.Parse(l, CultureInfo.InvariantCulture)).ToList();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            foreach (var port in ports) kestrel.Listen(IPAddress.Loopback, port);
        });
        var app = builder.Build();
        var engines = new ConcurrentDictionary<int, EngineMetricsText>();
        app.MapGet("/", () => Results.Text("""{"message":"JetStream HTTP Server","live":true}""", "application/json"));
        app.MapGet("/healthcheck", () => Results.Text("""{"response":{"is_live":true}}""", "application/json"));
        app.MapPost("/generate", async (HttpRequest request) =>
        {
            // Read the prompt as an engine would before answering its one token.
            using var reader = new StreamReader(request.Body);
            await reader.ReadToEndAsync(request.HttpContext.RequestAborted);
            return Results.Text("""{"response":" pong"}""", "application/json");
        });
        app.MapGet("/metrics", (HttpContext context) =>
            Results.Text(engines.GetOrAdd(context.Connection.LocalPort, port => new EngineMetricsText(port)).Render(), "text/plain; version=0.0.4; charset=utf-8"));
        await app.StartAsync();
        Console.WriteLine("ready");
        await Console.In.ReadToEndAsync();
        await app.StopAsync();
        return 0;
    }
}
