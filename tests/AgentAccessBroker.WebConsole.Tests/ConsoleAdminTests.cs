using System.Net;
using System.Net.Http.Headers;
using AgentAccessBroker.Audit;
using AgentAccessBroker.Storage;
using AgentAccessBroker.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace AgentAccessBroker.WebConsole.Tests;

/// <summary>The admin page's lifecycle actions, confirmed in the browser: the same operations and audit events as the API's.</summary>
[Collection(ConsoleCollection.Name)]
public sealed class ConsoleAdminTests(PostgresFixture postgres, BrowserFixture browser)
{
    [Fact]
    public async Task DisableThenEnable_ConfirmedWithAReason_CutsTheAgentOffAndLetsItBackInAudited()
    {
        await using var broker = await ConsoleBroker.StartAsync(postgres);
        var (agentToken, task) = await AgentWithLeaseAsync(broker);
        await using var admin = await AdminAsync(broker);

        await ActAsync(admin, "agent-a", "Disable", reason: "left running over the weekend");
        await Assertions.Expect(admin.Page.GetByRole(AriaRole.Status)).ToContainTextAsync("Disabled agent-a: 1 lease(s) revoked");
        await Assertions.Expect(admin.Page.Locator("tr[data-principal='agent-a'] .status")).ToContainTextAsync("disabled");
        var whileDisabled = await StatusWithTokenAsync(broker, agentToken);
        Assert.Equal("revoked", (await broker.Host.Admin.ListLeasesAsync(task.Task.Id, null, CancellationToken.None)).Single().State);
        await admin.ScreenshotAsync("admin-disabled");
        Assert.Empty(await admin.SeriousAccessibilityViolationsAsync());

        await ActAsync(admin, "agent-a", "Enable");
        await Assertions.Expect(admin.Page.GetByRole(AriaRole.Status)).ToContainTextAsync("Enabled agent-a");

        Assert.Equal(HttpStatusCode.Unauthorized, whileDisabled);
        Assert.Equal(HttpStatusCode.OK, await StatusWithTokenAsync(broker, agentToken));
        var events = await AuditAsync(broker);
        var disabled = Assert.Single(events, e => e.Type == AuditEventType.PrincipalDisabled);
        Assert.Equal("admin", disabled.Actor);
        Assert.Contains("left running over the weekend", disabled.Data, StringComparison.Ordinal);
        Assert.Contains(events, e => e.Type == AuditEventType.PrincipalEnabled && e.Actor == "admin");
    }

    [Fact]
    public async Task LockThenUnlock_ConfirmedWithAReason_RefusesTheAgentUntilLiftedAudited()
    {
        await using var broker = await ConsoleBroker.StartAsync(postgres);
        var (agentToken, task) = await AgentWithLeaseAsync(broker);
        await using var admin = await AdminAsync(broker);

        // A lock needs a reason: the browser will not send the form without one.
        await admin.GoAsync("/admin?confirm=lock&subject=agent-a");
        await Assertions.Expect(admin.Page.Locator("#confirm-reason")).ToHaveAttributeAsync("required", "");
        await admin.ScreenshotAsync("admin-confirm-lock");
        Assert.Empty(await admin.SeriousAccessibilityViolationsAsync());
        await ActAsync(admin, "agent-a", "Lock", reason: "asked to delete every invoice");
        await Assertions.Expect(admin.Page.GetByRole(AriaRole.Status)).ToContainTextAsync("Locked agent-a");
        await Assertions.Expect(admin.Page.Locator("tr[data-principal='agent-a'] .status")).ToContainTextAsync("locked");
        var whileLocked = await StatusWithTokenAsync(broker, agentToken);
        var leaseWhileLocked = (await broker.Host.Admin.ListLeasesAsync(task.Task.Id, null, CancellationToken.None)).Single().State;

        await ActAsync(admin, "agent-a", "Unlock");
        await Assertions.Expect(admin.Page.GetByRole(AriaRole.Status)).ToContainTextAsync("Lifted lock");

        Assert.Equal(HttpStatusCode.Unauthorized, whileLocked);
        Assert.Equal("revoked", leaseWhileLocked);
        Assert.Equal(HttpStatusCode.OK, await StatusWithTokenAsync(broker, agentToken));
        var events = await AuditAsync(broker);
        var created = Assert.Single(events, e => e.Type == AuditEventType.LockCreated);
        Assert.Equal(("admin", "agent-a"), (created.Actor, created.AgentId));
        Assert.Contains("asked to delete every invoice", created.Data, StringComparison.Ordinal);
        Assert.Contains(events, e => e.Type == AuditEventType.LockLifted && e.Actor == "admin");
    }

    [Fact]
    public async Task RotateToken_Confirmed_ShowsTheNewTokenOnceAndTheOldOneStopsWorking()
    {
        await using var broker = await ConsoleBroker.StartAsync(postgres);
        var oldToken = await broker.Host.AgentAsync("agent-a");
        await using var admin = await AdminAsync(broker);

        await ActAsync(admin, "agent-a", "Rotate", confirmLabel: "Rotate the token of agent-a");
        var shown = await admin.Page.Locator("section[data-rotated='agent-a'] input.token").InputValueAsync();
        await admin.ScreenshotAsync("admin-token-once");
        Assert.Empty(await admin.SeriousAccessibilityViolationsAsync());
        await admin.GoAsync("/admin");
        var later = await admin.Page.ContentAsync();

        Assert.StartsWith("aaba_", shown, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, await StatusWithTokenAsync(broker, shown));
        Assert.Equal(HttpStatusCode.Unauthorized, await StatusWithTokenAsync(broker, oldToken));
        Assert.DoesNotContain(shown, later, StringComparison.Ordinal);
        Assert.Equal(0, await admin.Page.Locator("section[data-rotated]").CountAsync());
        var events = await AuditAsync(broker);
        Assert.Contains(events, e => e.Type == AuditEventType.TokenRotated && e.Actor == "admin");
        Assert.DoesNotContain(events, e => e.Data.Contains(shown[5..], StringComparison.Ordinal));
    }

    [Fact]
    public async Task NonAdmin_SeesNoActions_AndAForgedPostWithAValidTokenIsRefused()
    {
        await using var broker = await ConsoleBroker.StartAsync(postgres);
        await broker.Host.PersonAsync("erin", "auditor", "approver");
        var agentToken = await broker.Host.AgentAsync("agent-a");
        await using var erin = await ConsolePage.OpenAsync(browser, broker.Address);
        await erin.SignInWithLinkAsync(await broker.LinkForAsync("erin"));

        await erin.GoAsync("/admin");
        var refusedAt = erin.Page.Url;
        var adminPage = await erin.Page.ContentAsync();
        await erin.GoAsync("/audit");
        var actionLinks = await erin.Page.Locator("a[href*='confirm='], a[href='/admin']").CountAsync();
        // A valid antiforgery token of erin's own session (from the sign-out form), on a forged disable.
        var token = await erin.Page.Locator("input[name='__af']").First.InputValueAsync();
        var forged = await erin.Context.APIRequest.PostAsync(
            new Uri(broker.Address, "admin?handler=Disable&id=agent-a").AbsoluteUri,
            new APIRequestContextOptions { Form = erin.Context.APIRequest.CreateFormData().Set("__af", token).Set("reason", "forged"), MaxRedirects = 0 });

        Assert.Contains("/forbidden", refusedAt, StringComparison.Ordinal);
        Assert.DoesNotContain("agent-a", adminPage, StringComparison.Ordinal);
        Assert.DoesNotContain("Disable", adminPage, StringComparison.Ordinal);
        Assert.Equal(0, actionLinks);
        Assert.Equal(302, forged.Status);
        Assert.Contains("/forbidden", forged.Headers["location"], StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, await StatusWithTokenAsync(broker, agentToken));
        Assert.DoesNotContain(await AuditAsync(broker), e => e.Type == AuditEventType.PrincipalDisabled);
    }

    /// <summary>Opens the confirmation from the principal's row, fills the reason, confirms.</summary>
    private static async Task ActAsync(ConsolePage page, string principal, string action, string? reason = null, string? confirmLabel = null)
    {
        await page.GoAsync("/admin");
        var linkName = action == "Rotate" ? $"Rotate token {principal}" : $"{action} {principal}";
        await page.Page.Locator($"tr[data-principal='{principal}']").GetByRole(AriaRole.Link, new() { Name = linkName, Exact = true }).ClickAsync();
        var confirm = page.Page.Locator("section.confirm");
        await Assertions.Expect(confirm).ToBeVisibleAsync();
        if (reason is not null)
        {
            await confirm.GetByLabel(new System.Text.RegularExpressions.Regex("^Reason")).FillAsync(reason);
        }

        await confirm.GetByRole(AriaRole.Button, new() { Name = confirmLabel ?? $"{action} {principal}", Exact = true }).ClickAsync();
        await page.Page.WaitForLoadStateAsync(LoadState.Load);
    }

    private async Task<ConsolePage> AdminAsync(ConsoleBroker broker)
    {
        var admin = await ConsolePage.OpenAsync(browser, broker.Address);
        Assert.Equal(302, await admin.SignInWithLinkAsync(await broker.LinkForAsync("admin")));
        return admin;
    }

    /// <summary>agent-a with a task and one live lease; its token, to see whether the broker still accepts it.</summary>
    private static async Task<(string Token, Client.StartedTask Task)> AgentWithLeaseAsync(ConsoleBroker broker)
    {
        var token = await broker.Host.AgentAsync("agent-a");
        var task = await broker.Host.StartTaskAsync("agent-a");
        using var agent = broker.Host.ClientFor(token, task.TaskToken);
        Assert.Equal("granted", (await agent.SubmitRequestAsync(broker.Host.ReadInvoices(), CancellationToken.None)).Outcome);
        return (token, task);
    }

    /// <summary>What the broker answers a bearer token on an ordinary call.</summary>
    private static async Task<HttpStatusCode> StatusWithTokenAsync(ConsoleBroker broker, string token)
    {
        using var http = new HttpClient { BaseAddress = broker.Address };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await http.GetAsync("v1/targets");
        return response.StatusCode;
    }

    private static async Task<List<AuditEvent>> AuditAsync(ConsoleBroker broker)
    {
        var events = new List<AuditEvent>();
        await foreach (var e in broker.Host.App.Services.GetRequiredService<IBrokerStore>().ReadAuditAsync(new AuditQuery(), CancellationToken.None))
        {
            events.Add(e);
        }

        return events;
    }
}
