using System.Net.Http.Json;
using EndToEnd.Tests.Infrastructure;
using Microsoft.Playwright;

namespace EndToEnd.Tests.Dashboard;

/// <summary>One real stack (orchestrator, one runner) and one browser shared by the dashboard's tests: each test opens
/// its own browser context (its own cookies) and its own environment, so none depends on another having run.</summary>
public sealed class DashboardStack : IAsyncLifetime
{
    private IPlaywright? _playwright;
    private IBrowser? _browser;
    private TestStack? _stack;

    internal TestStack Stack => _stack ?? throw new InvalidOperationException("not started");
    internal IBrowser Browser => _browser ?? throw new InvalidOperationException("not started");

    /// <summary>Screenshots of every page land here, in the test project's output folder, and are kept.</summary>
    public static string ScreenshotDir { get; } = Path.Combine(AppContext.BaseDirectory, "dashboard-screenshots");

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(ScreenshotDir);
        (_playwright, _browser) = await Dashboard.Browser.LaunchAsync();
        _stack = await TestStack.StartAsync(new Dictionary<string, string>
        {
            ["Health__SweepIntervalMilliseconds"] = "200",
        });
        await _stack.StartRunnerAsync("solo");
    }

    /// <summary>A fresh context signed in through the sign-in page, with its console watched.</summary>
    internal async Task<DashboardSession> SignedInAsync()
    {
        var session = await DashboardSession.OpenAsync(Browser, Stack.Server);
        await session.SignInAsync(Stack.UserToken);
        return session;
    }

    internal async Task PutEnvironmentAsync(string name, object body)
    {
        using var put = await Stack.Api.PutAsJsonAsync($"api/environments/{name}", body);
        Assert.True(put.IsSuccessStatusCode, await put.Content.ReadAsStringAsync());
    }

    public async Task DisposeAsync()
    {
        if (_browser is not null) await _browser.DisposeAsync();
        _playwright?.Dispose();
        if (_stack is not null) await _stack.DisposeAsync();
    }
}
