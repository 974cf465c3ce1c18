using System.Text.Json;
using Microsoft.Playwright;

namespace AgentAccessBroker.WebConsole.Tests;

/// <summary>A browser tab on the console: sign-in helpers, axe-core checks and screenshots.</summary>
internal sealed class ConsolePage(IBrowserContext context, IPage page, Uri broker, BrowserFixture browser) : IAsyncDisposable
{
    public IPage Page => page;

    public IBrowserContext Context => context;

    public Uri Broker => broker;

    public static async Task<ConsolePage> OpenAsync(BrowserFixture browser, Uri broker, int width = 1280, int height = 800)
    {
        var context = await browser.Browser.NewContextAsync(new BrowserNewContextOptions
        {
            ViewportSize = new ViewportSize { Width = width, Height = height },
            AcceptDownloads = true,
        });
        // Generous: the test machine is shared and a browser under load is slow; a real failure still fails.
        context.SetDefaultTimeout(60_000);
        context.SetDefaultNavigationTimeout(60_000);
        var page = await context.NewPageAsync();
        return new ConsolePage(context, page, broker, browser);
    }

    public Task<IResponse?> GoAsync(string path) => page.GotoAsync(new Uri(broker, path).AbsoluteUri);

    /// <summary>Opens a one-time link and confirms it; returns the status of the opening, or of the confirmation when it opened.</summary>
    public async Task<int> SignInWithLinkAsync(Uri link)
    {
        var opened = await page.GotoAsync(link.AbsoluteUri);
        if (opened?.Status != 200)
        {
            return opened?.Status ?? 0;
        }

        var confirmed = await page.RunAndWaitForResponseAsync(
            () => page.GetByRole(AriaRole.Button, new() { NameRegex = new("^Sign in as") }).ClickAsync(), r => r.Request.Method == "POST");
        await page.WaitForLoadStateAsync(LoadState.Load);
        return confirmed.Status;
    }

    /// <summary>Single sign-on through the provider's login and consent pages.</summary>
    public async Task SignInWithSsoAsync(string login)
    {
        await GoAsync("/");
        await page.GetByRole(AriaRole.Link, new() { Name = "Sign in with single sign-on" }).ClickAsync();
        await page.Locator("input[name=login]").FillAsync(login);
        await page.Locator("input[name=password]").FillAsync("any password works here");
        await SubmitAndLeaveAsync();
        // The provider asks for consent the first time a client is used.
        for (var i = 0; i < 3 && page.Url.Contains("/interaction/", StringComparison.Ordinal); i++)
        {
            await SubmitAndLeaveAsync();
        }

        await page.WaitForURLAsync(IsBroker, new() { WaitUntil = WaitUntilState.Commit });
    }

    /// <summary>
    /// Submits the provider's form and waits until the redirects that follow come to rest on the next interaction page or on
    /// the broker. Waiting for a URL change plus the load event instead raced: an intermediate redirect matched, its load
    /// event was lost when the next navigation replaced it, and the wait timed out although the browser had arrived.
    /// </summary>
    private async Task SubmitAndLeaveAsync()
    {
        var before = page.Url;
        await page.Locator("button[type=submit]").First.ClickAsync();
        await page.WaitForURLAsync(
            url => url != before && (IsBroker(url) || url.Contains("/interaction/", StringComparison.Ordinal)),
            new() { WaitUntil = WaitUntilState.Commit });
    }

    private bool IsBroker(string url) => url.StartsWith(broker.AbsoluteUri, StringComparison.Ordinal);

    /// <summary>Runs axe-core on the page and returns the serious and critical violations, one line each.</summary>
    public async Task<IReadOnlyList<string>> SeriousAccessibilityViolationsAsync()
    {
        // Evaluated through the DevTools protocol: the page's Content-Security-Policy (no inline script) stays on.
        await page.EvaluateAsync(browser.AxeSource);
        var violations = await page.EvaluateAsync<JsonElement>("""
            async () => (await axe.run(document, { resultTypes: ['violations'] })).violations
              .filter(v => v.impact === 'serious' || v.impact === 'critical')
              .map(v => `${v.impact} ${v.id}: ${v.help} at ${v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(' | ')}`)
            """);
        return violations.EnumerateArray().Select(v => v.GetString()!).ToList();
    }

    public async Task<string> ScreenshotAsync(string name)
    {
        var path = Path.Combine(BrowserFixture.ScreenshotDirectory, name + ".png");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = path, FullPage = true });
        return path;
    }

    public async ValueTask DisposeAsync() => await context.DisposeAsync();
}
