using System.Text.RegularExpressions;
using Microsoft.Playwright;

namespace EndToEnd.Tests.Dashboard;

/// <summary>A browser context with one page whose console errors and uncaught exceptions are all recorded.</summary>
internal sealed partial class DashboardSession : IAsyncDisposable
{
    private readonly List<string> _errors = [];

    private DashboardSession(IBrowserContext context, IPage page)
    {
        Context = context;
        Page = page;
        Watch(page);
    }

    public IBrowserContext Context { get; }
    public IPage Page { get; }
    public IReadOnlyList<string> Errors => _errors;

    public static async Task<DashboardSession> OpenAsync(IBrowser browser, Uri server, int width = 1280, int height = 900)
    {
        var context = await browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = server.ToString(),
            ViewportSize = new ViewportSize { Width = width, Height = height },
        });
        context.SetDefaultTimeout(30_000);
        return new DashboardSession(context, await context.NewPageAsync());
    }

    /// <summary>Another page of the same session (same cookie), watched the same way.</summary>
    public async Task<IPage> NewPageAsync()
    {
        var page = await Context.NewPageAsync();
        Watch(page);
        return page;
    }

    public async Task SignInAsync(string token)
    {
        await Page.GotoAsync("/ui/signin");
        await Page.GetByLabel("User token").FillAsync(token);
        await Page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Page.WaitForURLAsync(EnvironmentsUrl());
    }

    /// <summary>Clicks the action button, then confirms in the page's dialog.</summary>
    public static async Task ConfirmAsync(IPage page, string action)
    {
        await page.Locator($"#actions button[data-action={action}]").ClickAsync();
        await page.Locator("#confirm-ok").ClickAsync();
    }

    public static async Task ScreenshotAsync(IPage page, string name) =>
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(DashboardStack.ScreenshotDir, name + ".png"), FullPage = true });

    public void AssertNoErrors() =>
        Assert.True(_errors.Count == 0, "console errors:\n" + string.Join('\n', _errors));

    public async ValueTask DisposeAsync() => await Context.DisposeAsync();

    private void Watch(IPage page)
    {
        page.Console += (_, message) =>
        {
            if (message.Type == "error") lock (_errors) _errors.Add($"{page.Url}: {message.Text}");
        };
        page.PageError += (_, error) =>
        {
            lock (_errors) _errors.Add($"{page.Url}: uncaught {error}");
        };
    }

    [GeneratedRegex("/ui/?(environments)?$")]
    private static partial Regex EnvironmentsUrl();
}
