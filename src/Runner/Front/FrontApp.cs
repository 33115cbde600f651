using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Yarp.ReverseProxy.Forwarder;

namespace Runner.Front;

/// <summary>
/// <c>runner front</c>: the environment's weighted HTTP front. Serves the JetStream API on a stable port and forwards
/// each request to a revision drawn by weight from <c>routes.json</c>. A request whose connection is refused before
/// anything was sent goes to another destination, so retiring a revision never fails a request. Records what each
/// revision served (<see cref="FrontTraffic"/>, at <c>/_front/traffic</c>) for the <c>traffic</c> analysis source.
/// </summary>
internal static class FrontApp
{
    public static WebApplication Build(FrontOptions options)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls($"http://127.0.0.1:{options.Port}");
        builder.Logging.SetMinimumLevel(LogLevel.Warning).AddFilter("Runner.Front", LogLevel.Information);
        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton<FrontState>();
        builder.Services.AddSingleton<FrontTraffic>();
        builder.Services.AddSingleton<RouteTableWatcher>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<RouteTableWatcher>());
        builder.Services.AddHttpForwarder();
        builder.Services.AddSingleton(new HttpMessageInvoker(new SocketsHttpHandler
        {
            UseProxy = false,
            AllowAutoRedirect = false,
            AutomaticDecompression = DecompressionMethods.None,
            UseCookies = false,
            ConnectTimeout = TimeSpan.FromSeconds(3),
        }));
        builder.Host.UseDefaultServiceProvider(o =>
        {
            o.ValidateOnBuild = true;
            o.ValidateScopes = true;
        });

        var app = builder.Build();
        var watcher = app.Services.GetRequiredService<RouteTableWatcher>();
        watcher.Reload();
        app.MapGet("/_front/routes", (FrontState state) => Results.Json(Describe(state)));
        app.MapGet("/healthcheck", (FrontState state) => state.AnyWeightedRevisionLive
            ? Results.Json(new { response = new { is_live = true } })
            : Results.Json(new { response = new { is_live = false } }, statusCode: 500));
        app.MapGet("/_front/traffic", (FrontTraffic traffic) => Results.Text(traffic.Render(), "text/plain; version=0.0.4; charset=utf-8"));
        app.MapPost("/generate", GenerateAsync);
        app.MapGet("/", ForwardAsync);
        app.MapGet("/metrics", ForwardAsync);
        return app;
    }

    public static async Task<int> RunAsync(FrontOptions options)
    {
        await using var app = Build(options);
        await app.RunAsync();
        return 0;
    }

    // A request the client gave up on says nothing of the revision: only the others are recorded.
    private static async Task GenerateAsync(
        HttpContext context, IHttpForwarder forwarder, HttpMessageInvoker invoker, FrontState state, FrontTraffic traffic)
    {
        var started = Stopwatch.GetTimestamp();
        var (destination, error) = await SendAsync(context, forwarder, invoker, state);
        if (destination is null || context.RequestAborted.IsCancellationRequested || state.RevisionOf(destination) is not { } revision) return;
        var failed = error != ForwarderError.None || context.Response.StatusCode >= StatusCodes.Status500InternalServerError;
        traffic.Record(revision, failed, Stopwatch.GetElapsedTime(started));
    }

    private static async Task ForwardAsync(
        HttpContext context, IHttpForwarder forwarder, HttpMessageInvoker invoker, FrontState state) =>
        await SendAsync(context, forwarder, invoker, state);

    /// <summary>Forwards the request; says to which destination it went last and how that ended (null: nowhere).</summary>
    private static async Task<(string? Destination, ForwarderError Error)> SendAsync(
        HttpContext context, IHttpForwarder forwarder, HttpMessageInvoker invoker, FrontState state)
    {
        // Bodies here are small JSON requests; buffering them lets a refused attempt be resent elsewhere.
        context.Request.EnableBuffering();
        var candidates = state.Candidates(Random.Shared);
        if (candidates.Count == 0)
        {
            await Results.Problem(title: "No revision serves this environment yet", statusCode: 503).ExecuteAsync(context);
            return (null, ForwarderError.None);
        }

        var config = new ForwarderRequestConfig { ActivityTimeout = TimeSpan.FromMinutes(10) };
        for (var i = 0; i < candidates.Count; i++)
        {
            var destination = candidates[i];
            var error = await forwarder.SendAsync(context, destination, invoker, config, HttpTransformer.Default);
            if (error == ForwarderError.None)
            {
                return (destination, error);
            }

            var failure = context.Features.Get<IForwarderErrorFeature>();
            if (error != ForwarderError.Request || context.Response.HasStarted || !IsConnectFailure(failure?.Exception)
                || i == candidates.Count - 1)
            {
                return (destination, error);
            }

            // Nothing reached the destination: mark it down and try the next one as if this attempt never happened (the last
            // one's failure is the answer).
            state.SetHealth(destination, false);
            context.Features.Set<IForwarderErrorFeature>(null);
            context.Response.Clear();
            context.Response.StatusCode = StatusCodes.Status200OK;
            context.Request.Body.Position = 0;
        }
        return (null, ForwarderError.None);
    }

    private static bool IsConnectFailure(Exception? exception) => exception switch
    {
        HttpRequestException { HttpRequestError: HttpRequestError.ConnectionError } => true,
        HttpRequestException { InnerException: SocketException { SocketErrorCode: SocketError.ConnectionRefused } } => true,
        _ => false,
    };

    private static object Describe(FrontState state)
    {
        var table = state.Table;
        return new
        {
            version = table.Version,
            stableRevision = table.StableRevision,
            canaryRevision = table.CanaryRevision,
            canaryWeight = table.CanaryWeight,
            revisions = table.Revisions.Select(r => new
            {
                revision = r.Revision,
                weight = r.Weight,
                endpoints = r.Endpoints.Select(e => new { url = e, live = state.IsKnownLive(e) }),
            }),
        };
    }
}
