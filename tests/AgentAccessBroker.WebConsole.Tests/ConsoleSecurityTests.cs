using AgentAccessBroker.Client;
using AgentAccessBroker.Testing;
using Microsoft.Playwright;

namespace AgentAccessBroker.WebConsole.Tests;

/// <summary>Forged posts, hostile text, other groups' requests and self-approval, tried in the browser.</summary>
[Collection(ConsoleCollection.Name)]
public sealed class ConsoleSecurityTests(PostgresFixture postgres, BrowserFixture browser)
{
    [Fact]
    public async Task Approve_PostedWithoutAntiforgeryToken_IsRefusedAndChangesNothing()
    {
        await using var broker = await ConsoleBroker.StartAsync(postgres);
        await broker.Host.PersonAsync("bob", "approver");
        var (agent, _) = await broker.Host.AgentWithTaskAsync("agent-a");
        var pending = await agent.SubmitRequestAsync(broker.ReadSalaries(), CancellationToken.None);
        await using var bob = await ConsolePage.OpenAsync(browser, broker.Address);
        await bob.SignInWithLinkAsync(await broker.LinkForAsync("bob"));

        // The browser's own cookies go along (as they would from a page that got them sent), but no token.
        var forged = await bob.Context.APIRequest.PostAsync(
            new Uri(broker.Address, $"approvals?handler=Approve&id={pending.Request.Id}").AbsoluteUri,
            new APIRequestContextOptions { Form = bob.Context.APIRequest.CreateFormData().Set("shorter", "") });
        // And from another site's page: the session cookie is SameSite=Lax, so a cross-site POST is not even signed in.
        await bob.Page.GotoAsync(broker.Provider.Issuer.AbsoluteUri + ".well-known/openid-configuration");
        var crossSite = await bob.Page.EvaluateAsync<int>($$"""
            async () => (await fetch('{{new Uri(broker.Address, $"approvals?handler=Approve&id={pending.Request.Id}").AbsoluteUri}}',
              { method: 'POST', mode: 'no-cors', credentials: 'include', body: new URLSearchParams({ shorter: '' }) })).status
            """);

        Assert.Equal(400, forged.Status);
        Assert.Equal(0, crossSite); // opaque: the browser shows the other site nothing
        Assert.Equal("pending", (await broker.Host.Admin.GetRequestAsync(pending.Request.Id, CancellationToken.None)).Status);
    }

    [Fact]
    public async Task HostilePurpose_WithScriptEscapeSequencesAndBidiOverride_RendersInertWithControlsVisible()
    {
        const string purpose = "<script>window.__pwned = 1</script><img src=x onerror=\"window.__pwned = 2\"> \u001b[2J\u001b[31mred\u001b[0m bell\u0007 \u202Egnp.exe zero\u200Bwidth";
        await using var broker = await ConsoleBroker.StartAsync(postgres);
        await broker.Host.PersonAsync("bob", "approver");
        var (agent, _) = await broker.Host.AgentWithTaskAsync("agent-a");
        var pending = await agent.SubmitRequestAsync(broker.ReadSalaries(purpose), CancellationToken.None);
        await using var bob = await ConsolePage.OpenAsync(browser, broker.Address);
        await bob.SignInWithLinkAsync(await broker.LinkForAsync("bob"));

        // The analyzer may hold or deny such a request; the history shows the purpose either way.
        await bob.GoAsync("/requests");
        var shown = await bob.Page.Locator($"tr[data-request='{pending.Request.Id}'] .purpose").InnerTextAsync();
        var pwned = await bob.Page.EvaluateAsync<bool>("() => window.__pwned !== undefined");
        var injected = await bob.Page.Locator("main script, main img").CountAsync();
        await bob.ScreenshotAsync("requests-hostile-purpose");

        Assert.False(pwned);
        Assert.Equal(0, injected);
        Assert.Contains("<script>window.__pwned = 1</script>", shown, StringComparison.Ordinal);
        // Through UntrustedText.Sanitise: escape sequences and other controls shown as control pictures, the bidi
        // override and the zero-width space gone, so the text reads in the order it is stored.
        Assert.Contains("\u241B[2J\u241B[31mred\u241B[0m bell\u2407 gnp.exe zerowidth", shown, StringComparison.Ordinal);
        Assert.DoesNotContain('\u001b', shown);
        Assert.DoesNotContain('\u0007', shown);
        Assert.DoesNotContain('\u202E', shown);
        Assert.DoesNotContain('\u200B', shown);
    }

    [Fact]
    public async Task ApproverOfAnotherGroup_SeesNoRequestOfThisGroup()
    {
        await using var broker = await ConsoleBroker.StartAsync(postgres);
        await broker.Host.PersonAsync("dave", "approver");
        var (agent, _) = await broker.Host.AgentWithTaskAsync("agent-a");
        var pending = await agent.SubmitRequestAsync(broker.ReadSalaries(), CancellationToken.None);
        await using var dave = await ConsolePage.OpenAsync(browser, broker.Address);
        await dave.SignInWithLinkAsync(await broker.LinkForAsync("dave"));

        await dave.GoAsync("/approvals");
        var approvals = await dave.Page.ContentAsync();
        await dave.GoAsync("/requests");
        var history = await dave.Page.ContentAsync();

        Assert.Contains("Nothing is waiting for you", approvals, StringComparison.Ordinal);
        Assert.DoesNotContain(pending.Request.Id, approvals, StringComparison.Ordinal);
        Assert.DoesNotContain(pending.Request.Id, history, StringComparison.Ordinal);
        Assert.DoesNotContain("salary", approvals + history, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task TaskOwnerWhoIsAnApprover_GetsNoButtons_AndAForcedVoteIsRejected()
    {
        await using var broker = await ConsoleBroker.StartAsync(postgres);
        using var carol = broker.Host.ClientFor(await broker.Host.PersonAsync("carol", "approver", "admin"));
        var agentToken = await broker.Host.AgentAsync("agent-a");
        var task = await carol.StartTaskAsync(new StartTaskBody("agent-a", "Fix the failing billing export", ["invoices"], "dev", null), CancellationToken.None);
        using var agent = broker.Host.ClientFor(agentToken, task.TaskToken);
        var pending = await agent.SubmitRequestAsync(broker.ReadSalaries(), CancellationToken.None);
        await using var page = await ConsolePage.OpenAsync(browser, broker.Address);
        await page.SignInWithLinkAsync(await broker.LinkForAsync("carol"));

        await page.GoAsync("/approvals");
        var card = page.Page.Locator($"article[data-request='{pending.Request.Id}']");
        await Assertions.Expect(card.Locator(".cannot")).ToContainTextAsync("You started this task");
        Assert.Equal(0, await card.GetByRole(AriaRole.Button).CountAsync());
        // Forge the vote with a valid antiforgery token (from the sign-out form): the desk still refuses it.
        var token = await page.Page.Locator("input[name='__af']").First.InputValueAsync();
        var forced = await page.Context.APIRequest.PostAsync(
            new Uri(broker.Address, $"approvals?handler=Approve&id={pending.Request.Id}").AbsoluteUri,
            new APIRequestContextOptions { Form = page.Context.APIRequest.CreateFormData().Set("__af", token) });

        Assert.Equal(200, forced.Status);
        Assert.Contains("cannot approve its requests", await forced.TextAsync(), StringComparison.Ordinal);
        Assert.Equal("pending", (await broker.Host.Admin.GetRequestAsync(pending.Request.Id, CancellationToken.None)).Status);
    }

    [Fact]
    public async Task Pages_CarryStrictContentSecurityPolicyNoInlineScriptAndSecureCookies()
    {
        await using var broker = await ConsoleBroker.StartAsync(postgres);
        await broker.Host.PersonAsync("bob", "approver");
        await using var bob = await ConsolePage.OpenAsync(browser, broker.Address);
        await bob.SignInWithLinkAsync(await broker.LinkForAsync("bob"));

        var response = await bob.GoAsync("/approvals");
        Assert.EndsWith("/approvals", bob.Page.Url, StringComparison.Ordinal); // still signed in: the Secure cookie came back
        var inline = await bob.Page.EvaluateAsync<int>("() => [...document.scripts].filter(s => !s.src).length + document.querySelectorAll('[style],[onclick],[onload]').length");
        var cookies = await bob.Context.CookiesAsync();

        var csp = await response!.HeaderValueAsync("content-security-policy");
        Assert.Contains("default-src 'none'", csp, StringComparison.Ordinal);
        Assert.Contains("script-src 'self';", csp, StringComparison.Ordinal);
        Assert.Contains("frame-ancestors 'none'", csp, StringComparison.Ordinal);
        Assert.DoesNotContain("unsafe", csp, StringComparison.Ordinal);
        Assert.Equal("DENY", await response.HeaderValueAsync("x-frame-options"));
        Assert.Equal(0, inline);
        // Secure on plain HTTP too: Chromium treats http://127.0.0.1 as a secure context, keeps the cookies and sends
        // them back (the sign-in above and every form post depend on it).
        Assert.Equal(["aab-af", "aab-console"], cookies.Select(c => c.Name).Where(n => n.StartsWith("aab-", StringComparison.Ordinal)).Order());
        Assert.Equal("http", response.Request.Url.Split(':')[0]);
        Assert.All(cookies.Where(c => c.Name.StartsWith("aab-", StringComparison.Ordinal)), c =>
        {
            Assert.True(c.Secure, $"{c.Name} is not Secure");
            Assert.True(c.HttpOnly);
            Assert.NotEqual(SameSiteAttribute.None, c.SameSite);
        });
    }

    [Fact]
    public async Task Approvals_AtPhoneWidth_FitsWithoutSidewaysScrolling()
    {
        await using var broker = await ConsoleBroker.StartAsync(postgres);
        await broker.Host.PersonAsync("bob", "approver");
        var (agent, _) = await broker.Host.AgentWithTaskAsync("agent-a");
        await agent.SubmitRequestAsync(broker.ReadSalaries(), CancellationToken.None);
        await using var phone = await ConsolePage.OpenAsync(browser, broker.Address, width: 390, height: 844);
        await phone.SignInWithLinkAsync(await broker.LinkForAsync("bob"));

        await phone.GoAsync("/approvals");
        var overflow = await phone.Page.EvaluateAsync<int>("() => document.documentElement.scrollWidth - document.documentElement.clientWidth");
        await phone.ScreenshotAsync("approvals-phone");
        // Keyboard: the first Tab reaches the skip link, which moves focus to the content.
        await phone.Page.Keyboard.PressAsync("Tab");
        var first = await phone.Page.EvaluateAsync<string>("() => document.activeElement.textContent");

        Assert.True(overflow <= 0, $"the page is {overflow}px wider than a phone");
        Assert.Equal("Skip to content", first);
        Assert.Empty(await phone.SeriousAccessibilityViolationsAsync());
    }
}
