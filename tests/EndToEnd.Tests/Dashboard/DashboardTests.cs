using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using EndToEnd.Tests.Infrastructure;
using Microsoft.Playwright;
using Npgsql;
using Xunit.Abstractions;

namespace EndToEnd.Tests.Dashboard;

/// <summary>The dashboard in Debian's Chromium against the real orchestrator, runner and engine. One stack for the
/// class; every test signs in on its own and asserts that its pages logged no console error.</summary>
[Collection(EndToEndCollection.Name)]
public sealed partial class DashboardTests(DashboardStack fixture, TinyModelFixture model, ITestOutputHelper output) : IClassFixture<DashboardStack>
{
    private TestStack Stack => fixture.Stack;

    [Theory]
    [InlineData("/ui")]
    [InlineData("/ui/runs")]
    [InlineData("/ui/environments/local")]
    [InlineData("/ui/runners")]
    public async Task SignedOutVisitor_AnyPage_IsSentToSignIn(string path)
    {
        await using var session = await DashboardSession.OpenAsync(fixture.Browser, Stack.Server);

        await session.Page.GotoAsync(path);

        Assert.Contains("/ui/signin", session.Page.Url, StringComparison.Ordinal);
        Assert.Contains("ReturnUrl=" + Uri.EscapeDataString(path), session.Page.Url, StringComparison.Ordinal);
        await Assertions.Expect(session.Page.GetByLabel("User token")).ToBeVisibleAsync();
        session.AssertNoErrors();
    }

    [Fact]
    public async Task SignIn_ThenSignOut_EndsTheSession()
    {
        await using var session = await fixture.SignedInAsync();
        var cookies = await session.Context.CookiesAsync();
        var cookie = Assert.Single(cookies, c => c.Name == "orchestrator.session");
        Assert.True(cookie.HttpOnly);
        Assert.Equal(SameSiteAttribute.Strict, cookie.SameSite);

        await DashboardSession.ScreenshotAsync(session.Page, "environments-empty");
        await session.Page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
        await session.Page.WaitForURLAsync("**/ui/signin");
        await session.Page.GotoAsync("/ui/runs");

        Assert.Contains("/ui/signin", session.Page.Url, StringComparison.Ordinal);
        session.AssertNoErrors();
    }

    [Fact]
    public async Task PostWithoutTheCsrfToken_IsRefused_WithTheTokenIsAccepted()
    {
        await using var session = await fixture.SignedInAsync();
        var request = session.Context.APIRequest; // carries the session's cookies, not the page's token
        var missingRun = Guid.NewGuid();

        var signOut = await request.PostAsync("/ui/signout", new() { MaxRedirects = 0 });
        var cancel = await request.PostAsync($"/api/runs/{missingRun}/cancel");
        var token = await session.Page.Locator("meta[name=csrf-token]").GetAttributeAsync("content");
        var withToken = await request.PostAsync($"/api/runs/{missingRun}/cancel", new() { Headers = new Dictionary<string, string> { ["X-CSRF-Token"] = token! } });
        using var bearer = await Stack.Api.PostAsync($"api/runs/{missingRun}/cancel", null);

        Assert.Equal(400, signOut.Status);
        Assert.Equal(400, cancel.Status);
        Assert.Contains("antiforgery", await cancel.TextAsync(), StringComparison.OrdinalIgnoreCase);
        Assert.Equal(404, withToken.Status); // past the check: the run does not exist
        Assert.Equal(404, (int)bearer.StatusCode); // bearer calls need no page token
        var stillIn = await request.GetAsync("/api/runs");
        Assert.Equal(200, stillIn.Status); // the refused sign-out did not sign out
    }

    [Fact]
    public async Task RunPage_200StepsAnd50000Lines_LoadsAndFollows2000LinesPerSecond()
    {
        var (runId, running) = await PerfRun.SeedAsync(Stack.Database.ConnectionString, "perf");
        await using var session = await fixture.SignedInAsync();
        var page = session.Page;

        var clock = Stopwatch.StartNew();
        await page.GotoAsync($"/ui/runs/{runId}");
        await page.WaitForFunctionAsync($"() => Number(document.getElementById('app').dataset.logLines) >= {PerfRun.Lines} && document.querySelectorAll('.node').length === 200");
        var loadedMs = clock.ElapsedMilliseconds;
        var marks = await page.EvaluateAsync<PageMarks>("""
            () => ({ graph: performance.getEntriesByName('dashboard:graph')[0]?.startTime ?? -1,
                     log: performance.getEntriesByName('dashboard:log')[0]?.startTime ?? -1,
                     rows: document.querySelectorAll('#log .log-line').length })
            """);

        // Follow: 200 lines every 100 ms for 5 s, written straight into the table as a busy runner's batches would be.
        const int perTick = 200, ticks = 50;
        await using var connection = new NpgsqlConnection(Stack.Database.ConnectionString);
        await connection.OpenAsync();
        var maxBehind = 0;
        var follow = Stopwatch.StartNew();
        for (var t = 0; t < ticks; t++)
        {
            await PerfRun.AppendAsync(connection, running, t * perTick, perTick);
            if (t % 5 == 4)
            {
                var shown = await page.EvaluateAsync<int>("() => Number(document.getElementById('app').dataset.logLines)");
                maxBehind = Math.Max(maxBehind, PerfRun.Lines + (t + 1) * perTick - shown);
            }
            var next = TimeSpan.FromMilliseconds(100 * (t + 1)) - follow.Elapsed;
            if (next > TimeSpan.Zero) await Task.Delay(next);
        }
        var written = follow.Elapsed;
        await page.WaitForFunctionAsync($"() => Number(document.getElementById('app').dataset.logLines) >= {PerfRun.Lines + ticks * perTick}",
            null, new() { Timeout = 30_000, PollingInterval = 20 });
        var caughtUp = follow.Elapsed;
        var rowsAfter = await page.EvaluateAsync<int>("() => document.querySelectorAll('#log .log-line').length");
        var rate = ticks * perTick / caughtUp.TotalSeconds;
        await DashboardSession.ScreenshotAsync(page, "run-200-steps-50000-lines");

        // Search narrows the view to the matching lines.
        await page.Locator("#log-search").FillAsync("followed line 9999");
        await Assertions.Expect(page.Locator("#log-count")).ToHaveTextAsync($"1 of {PerfRun.Lines + ticks * perTick} lines");

        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"run page, 200 steps + {PerfRun.Lines} lines: loaded in {loadedMs} ms (navigation to graph and whole log shown; in-page marks: graph {marks.Graph:F0} ms, log {marks.Log:F0} ms), {marks.Rows} log rows in the DOM"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"follow: {ticks * perTick} lines written at {ticks * perTick / written.TotalSeconds:F0} lines/s over {written.TotalMilliseconds:F0} ms; all shown after {caughtUp.TotalMilliseconds:F0} ms ({rate:F0} lines/s followed, {(caughtUp - written).TotalMilliseconds:F0} ms after the last write, at most {maxBehind} lines behind); {rowsAfter} rows in the DOM"));
        Assert.InRange(marks.Rows, 1, 200); // virtualized: only the rows in view (and a margin) exist
        Assert.InRange(rowsAfter, 1, 200);
        Assert.True(caughtUp - written < TimeSpan.FromSeconds(3), $"the page fell behind: caught up {(caughtUp - written).TotalMilliseconds:F0} ms after the last write");
        session.AssertNoErrors();
    }

    [Fact]
    public async Task LocalRollout_GraphAndLogLive_ApproveAndPromoteFromThePage_PromptStreams_HealthPlotted()
    {
        await fixture.PutEnvironmentAsync("local", new { targetKind = "local", approval = new { required = true }, health = new { interval = "1s" } });
        await using var session = await fixture.SignedInAsync();
        var runsPage = await session.NewPageAsync();
        await runsPage.GotoAsync("/ui/runs?environment=local");
        var frontPort = FreePort.Next();
        var enginePorts = FreePort.NextRange(8);

        // First rollout: gated by the environment's approval; approved, then followed live on its page.
        var first = await ApplyAsync(CanaryRollouts.Write(Stack, model.Dir, frontPort, enginePorts));
        await Assertions.Expect(runsPage.Locator($"a[href='/ui/runs/{first}']")).ToBeVisibleAsync(); // the list updated itself
        var page = session.Page;
        await page.GotoAsync($"/ui/runs/{first}");
        await Assertions.Expect(page.Locator(".node[data-step=approval][data-status=waiting]")).ToBeVisibleAsync();
        await DashboardSession.ScreenshotAsync(page, "run-waiting-for-approval");
        await DashboardSession.ConfirmAsync(page, "approve");
        await Assertions.Expect(page.Locator(".node[data-step=approval][data-status=succeeded]")).ToBeVisibleAsync();
        // Live: lines and finished steps appear while the run is still running, without a reload.
        await page.WaitForFunctionAsync("() => Number(document.getElementById('app').dataset.logLines) > 0 && document.getElementById('app').dataset.status === 'running'",
            null, new() { Timeout = 120_000 });
        var linesWhileRunning = await LogLinesAsync(page);
        await Assertions.Expect(page.Locator(".node[data-step='checkpoint.convert'][data-status=succeeded]")).ToBeVisibleAsync(new() { Timeout = 120_000 });
        await Assertions.Expect(page.Locator("#app[data-status=succeeded]")).ToBeVisibleAsync(new() { Timeout = 180_000 });
        await Assertions.Expect(page.Locator("#app[data-log-ended=true]")).ToBeVisibleAsync();
        var run = await Stack.GetRunAsync(first);
        Assert.True(Runs.Status(run) == "succeeded", run.ToJsonString() + Stack.Diagnostics());
        Assert.True(await LogLinesAsync(page) > linesWhileRunning, "no log line arrived after the first ones while the run ran");
        Assert.Equal(run["steps"]!.AsArray().Count, await page.Locator(".node[data-status=succeeded]").CountAsync());
        Assert.True(await page.Locator(".edge").CountAsync() > 0);
        await DashboardSession.ScreenshotAsync(page, "run-succeeded");

        // Second rollout: a canary that pauses for a person, approved and promoted from its page.
        var second = await ApplyAsync(CanaryRollouts.Write(Stack, model.Dir, frontPort, enginePorts, """
            strategy:
              canary:
                steps:
                  - weight: 50
                  - pause: {}
            """));
        await page.GotoAsync($"/ui/runs/{second}");
        await DashboardSession.ConfirmAsync(page, "approve");
        await Assertions.Expect(page.Locator("#actions button[data-action=promote]")).ToBeVisibleAsync(new() { Timeout = 180_000 });
        await DashboardSession.ScreenshotAsync(page, "run-canary-paused");
        await DashboardSession.ConfirmAsync(page, "promote");
        await Assertions.Expect(page.Locator("#app[data-status=succeeded]")).ToBeVisibleAsync(new() { Timeout = 180_000 });
        var promoted = await Stack.GetRunAsync(second);
        Assert.Equal("succeeded", Runs.Status(promoted));
        Assert.StartsWith("user:", (string?)Runs.Step(promoted, "canary.pause")["decidedBy"], StringComparison.Ordinal);

        // The environment: health plotted from samples, and a prompt answered as a stream through the orchestrator.
        await page.GotoAsync("/ui/environments/local");
        await Assertions.Expect(page.Locator("#stable")).ToHaveTextAsync((string)promoted["revision"]!);
        await page.WaitForFunctionAsync("() => Number(document.querySelector('svg.chart[aria-label=\"Probe latency\"]')?.dataset.points) > 0",
            null, new() { Timeout = 60_000 });
        await page.Locator("#prompt textarea").FillAsync("Once upon a time");
        await page.GetByRole(AriaRole.Button, new() { Name = "Send" }).ClickAsync();
        await Assertions.Expect(page.Locator("#answer[data-state=done]")).ToBeVisibleAsync(new() { Timeout = 60_000 });
        Assert.True(int.Parse(await page.Locator("#answer").GetAttributeAsync("data-chunks") ?? "0", CultureInfo.InvariantCulture) >= 2, "the answer did not stream");
        Assert.NotEmpty((await page.Locator("#answer").TextContentAsync())!);
        await DashboardSession.ScreenshotAsync(page, "environment");

        await ScreenshotListsAsync(session, runsPage);
        session.AssertNoErrors();
    }

    /// <summary>The list pages show what the rollouts left behind; a narrow screen too.</summary>
    private static async Task ScreenshotListsAsync(DashboardSession session, IPage runsPage)
    {
        await DashboardSession.ScreenshotAsync(runsPage, "runs");
        var page = session.Page;
        await page.GotoAsync("/ui");
        await Assertions.Expect(page.Locator("a[href='/ui/environments/local']")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("svg.sparkline polyline").First).ToBeAttachedAsync();
        await DashboardSession.ScreenshotAsync(page, "environments");
        await page.GotoAsync("/ui/runners");
        await Assertions.Expect(page.GetByText("solo")).ToBeVisibleAsync();
        await DashboardSession.ScreenshotAsync(page, "runners");
        await page.GotoAsync("/ui/schedules");
        await Assertions.Expect(page.GetByText("No schedules.")).ToBeVisibleAsync();
        await DashboardSession.ScreenshotAsync(page, "schedules");
        await page.GotoAsync("/ui/webhooks");
        await Assertions.Expect(page.GetByText("No deliveries received.")).ToBeVisibleAsync();
        await DashboardSession.ScreenshotAsync(page, "webhooks");
        await page.SetViewportSizeAsync(390, 844);
        await page.GotoAsync("/ui/runs");
        await Assertions.Expect(page.Locator("td[data-label=Status]").First).ToBeVisibleAsync();
        await DashboardSession.ScreenshotAsync(page, "runs-narrow");
    }

    private async Task<string> ApplyAsync(string spec)
    {
        var apply = await Stack.CliAsync("apply", "-f", spec, "--json");
        Assert.True(apply.ExitCode == 0, apply + Stack.Diagnostics());
        return (string)JsonNode.Parse(apply.Stdout)!["id"]!;
    }

    private static Task<int> LogLinesAsync(IPage page) =>
        page.EvaluateAsync<int>("() => Number(document.getElementById('app').dataset.logLines)");

    private sealed class PageMarks
    {
        public double Graph { get; set; }
        public double Log { get; set; }
        public int Rows { get; set; }
    }
}
