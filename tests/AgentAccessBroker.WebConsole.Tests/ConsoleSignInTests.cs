using AgentAccessBroker.Client;
using AgentAccessBroker.Testing;
using Microsoft.Playwright;

namespace AgentAccessBroker.WebConsole.Tests;

/// <summary>The single-machine way in: one-time links from <c>aab console</c>.</summary>
[Collection(ConsoleCollection.Name)]
public sealed class ConsoleSignInTests(PostgresFixture postgres, BrowserFixture browser)
{
    [Fact]
    public async Task OneTimeLink_UsedOnce_SignsInThenIsRefused()
    {
        await using var broker = await ConsoleBroker.StartAsync(postgres);
        await broker.Host.PersonAsync("bob", "approver");
        var link = await broker.LinkForAsync("bob");

        await using var first = await ConsolePage.OpenAsync(browser, broker.Address);
        var used = await first.SignInWithLinkAsync(link);
        await Assertions.Expect(first.Page.GetByText("Signed in as")).ToContainTextAsync("bob");
        await first.ScreenshotAsync("signed-in-with-link");

        await using var second = await ConsolePage.OpenAsync(browser, broker.Address);
        var reused = await second.SignInWithLinkAsync(link);

        Assert.Equal(302, used);
        Assert.Equal(400, reused);
        await Assertions.Expect(second.Page.Locator("[data-link='refused']")).ToBeVisibleAsync();
        await second.GoAsync("/approvals");
        Assert.Contains("/signin", second.Page.Url, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OneTimeLink_ConfirmedTwiceFromOpenPages_SignsInOnlyOnce()
    {
        await using var broker = await ConsoleBroker.StartAsync(postgres);
        await broker.Host.PersonAsync("bob", "approver");
        var link = await broker.LinkForAsync("bob");
        await using var first = await ConsolePage.OpenAsync(browser, broker.Address);
        await using var second = await ConsolePage.OpenAsync(browser, broker.Address);
        await first.Page.GotoAsync(link.AbsoluteUri);
        await second.Page.GotoAsync(link.AbsoluteUri);

        var button = new PageGetByRoleOptions { NameRegex = new("^Sign in as") };
        var a = await first.Page.RunAndWaitForResponseAsync(() => first.Page.GetByRole(AriaRole.Button, button).ClickAsync(), r => r.Request.Method == "POST");
        var b = await second.Page.RunAndWaitForResponseAsync(() => second.Page.GetByRole(AriaRole.Button, button).ClickAsync(), r => r.Request.Method == "POST");

        Assert.Equal([302, 400], new[] { a.Status, b.Status });
    }

    [Fact]
    public async Task OneTimeLink_PastItsLifetime_IsRefused()
    {
        await using var broker = await ConsoleBroker.StartAsync(postgres);
        await broker.Host.PersonAsync("bob", "approver");
        var link = await broker.LinkForAsync("bob");
        broker.LinkClock.Advance(TimeSpan.FromMinutes(5) + TimeSpan.FromSeconds(1));

        await using var page = await ConsolePage.OpenAsync(browser, broker.Address);
        var status = await page.SignInWithLinkAsync(link);

        Assert.Equal(400, status);
        await Assertions.Expect(page.Page.Locator("[data-link='refused']")).ToContainTextAsync("expired or was already used");
        await page.ScreenshotAsync("link-refused");
        Assert.Empty(await page.SeriousAccessibilityViolationsAsync());
    }

    [Fact]
    public async Task ConsoleLink_ForAnAgent_IsRefused()
    {
        await using var broker = await ConsoleBroker.StartAsync(postgres);
        await broker.Host.AgentAsync("agent-a");

        var refused = await Assert.ThrowsAsync<BrokerClientException>(() => broker.Host.Admin.CreateConsoleLinkAsync("agent-a", CancellationToken.None));

        Assert.Equal(400, refused.Status);
        Assert.Equal("not_a_person", refused.Code);
    }

    [Fact]
    public async Task ConsoleLink_ForSomeoneElse_NeedsAnAdmin()
    {
        await using var broker = await ConsoleBroker.StartAsync(postgres);
        using var bob = broker.Host.ClientFor(await broker.Host.PersonAsync("bob", "approver"));
        await broker.Host.PersonAsync("carol", "approver");

        var own = await bob.CreateConsoleLinkAsync(null, CancellationToken.None);
        var refused = await Assert.ThrowsAsync<BrokerClientException>(() => bob.CreateConsoleLinkAsync("carol", CancellationToken.None));

        Assert.Equal("bob", own.Principal);
        Assert.Equal(403, refused.Status);
    }
}
