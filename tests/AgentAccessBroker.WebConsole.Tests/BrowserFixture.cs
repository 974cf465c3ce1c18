using Microsoft.Playwright;

namespace AgentAccessBroker.WebConsole.Tests;

/// <summary>
/// Debian's chromium driven by Playwright (its own browser download cannot run here), shared by the browser tests,
/// and the axe-core script they inject into every page.
/// </summary>
public sealed class BrowserFixture : IAsyncLifetime
{
    public const string ChromiumPath = "/usr/bin/chromium";

    private IPlaywright? _playwright;

    public IBrowser Browser { get; private set; } = null!;

    public string AxeSource { get; private set; } = string.Empty;

    /// <summary>Where each test's page screenshots go (PNG), under the test output directory.</summary>
    public static string ScreenshotDirectory { get; } = Path.Combine(AppContext.BaseDirectory, "screenshots");

    public async Task InitializeAsync()
    {
        if (!File.Exists(ChromiumPath))
        {
            throw new InvalidOperationException($"{ChromiumPath} is missing: install Debian's chromium (apt-get install chromium), as .ci/run does.");
        }

        var modules = await NodeTools.NodeModulesAsync();
        AxeSource = await File.ReadAllTextAsync(Path.Combine(modules, "axe-core", "axe.min.js"));
        Directory.CreateDirectory(ScreenshotDirectory);
        Assertions.SetDefaultExpectTimeout(30_000);
        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            // Root in a container has no user namespaces for chromium's sandbox.
            Args = ["--no-sandbox", "--disable-dev-shm-usage"],
        });
    }

    public async Task DisposeAsync()
    {
        await Browser.DisposeAsync();
        _playwright?.Dispose();
    }
}
