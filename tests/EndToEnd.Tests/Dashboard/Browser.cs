using Microsoft.Playwright;

namespace EndToEnd.Tests.Dashboard;

/// <summary>Debian's Chromium driven by Playwright's bundled driver; no browser is ever downloaded.</summary>
internal static class Browser
{
    public const string ChromiumPath = "/usr/bin/chromium";

    public static async Task<(IPlaywright Playwright, IBrowser Browser)> LaunchAsync()
    {
        if (!File.Exists(ChromiumPath))
            throw new InvalidOperationException(
                $"The dashboard tests drive Debian's Chromium at {ChromiumPath}, which is missing: install it with 'apt-get install -y chromium' (.ci/run does).");
        var playwright = await Playwright.CreateAsync();
        try
        {
            var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
            {
                ExecutablePath = ChromiumPath,
                Headless = true,
                // Root in CI containers has no user namespace for Chromium's sandbox; /dev/shm is small there.
                Args = ["--no-sandbox", "--disable-dev-shm-usage"],
            });
            return (playwright, browser);
        }
        catch
        {
            playwright.Dispose();
            throw;
        }
    }
}
