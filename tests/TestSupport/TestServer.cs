using System.Globalization;
using System.Net.Http.Headers;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Orchestrator.Auth;
using Orchestrator.Hosting;

namespace TestSupport;

/// <summary>The real service (<see cref="ServerHost"/>) on a free loopback port against a test database, with a
/// short lease and backoff so that expiry paths run in seconds.</summary>
public sealed class TestServer : IAsyncDisposable
{
    /// <summary>The lease of every test service, in-process or a process (<see cref="TestStack"/>): short, so that a
    /// dead runner's step comes back in seconds, not half a minute.</summary>
    public const int LeaseSeconds = 3;

    /// <summary>The in-process service's settings, as command-line arguments, before a test's own.</summary>
    public static IReadOnlyList<string> Arguments { get; } =
    [
        "--Logging:LogLevel:Default", "Warning",
        "--Logging:LogLevel:Microsoft.AspNetCore", "Warning",
        "--Dispatch:LeaseSeconds", LeaseSeconds.ToString(CultureInfo.InvariantCulture),
        "--Dispatch:RetryBackoffSeconds", "0.2",
        "--Dispatch:MaxRetryBackoffSeconds", "1",
        "--Dispatch:SweepIntervalMilliseconds", "200",
        "--Dispatch:ClaimRecheckMilliseconds", "500",
    ];

    private readonly WebApplication _app;

    private TestServer(WebApplication app, Uri baseAddress)
    {
        _app = app;
        BaseAddress = baseAddress;
    }

    public Uri BaseAddress { get; }
    public IServiceProvider Services => _app.Services;

    public static Task<TestServer> StartAsync(TestDatabase database, params string[] extraArgs) => StartAsync(database, (Action<WebApplicationBuilder>?)null, extraArgs);

    /// <param name="time">The service's clock instead of the system's (a <see cref="ManualTime"/>); null: the system's.</param>
    public static Task<TestServer> StartAsync(TestDatabase database, TimeProvider? time, params string[] extraArgs) =>
        StartAsync(database, time is null ? null : (Action<WebApplicationBuilder>)(builder => builder.Services.AddSingleton(time)), extraArgs);

    /// <param name="configure">Changes to the service's registrations before it is built (a clock, a trace exporter).</param>
    public static async Task<TestServer> StartAsync(TestDatabase database, Action<WebApplicationBuilder>? configure, params string[] extraArgs)
    {
        string[] args =
        [
            "--urls", "http://127.0.0.1:0",
            "--db", database.ConnectionString,
            .. Arguments,
            .. extraArgs,
        ];
        var builder = ServerHost.CreateBuilder(args);
        configure?.Invoke(builder);
        var app = ServerHost.Build(builder);
        await ServerHost.StartAsync(app, CancellationToken.None);
        return new TestServer(app, new Uri(app.Urls.First()));
    }

    public HttpClient Client(string? token = null)
    {
        var client = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(120) };
        if (token is not null) client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    public Task<string> CreateTokenAsync(string kind, string name = "test") =>
        Services.GetRequiredService<TokenStore>().CreateAsync(kind, name, CancellationToken.None);

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
