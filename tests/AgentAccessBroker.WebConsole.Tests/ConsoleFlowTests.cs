using AgentAccessBroker.Client;
using AgentAccessBroker.Server.Audit;
using AgentAccessBroker.Testing;
using Microsoft.Playwright;

namespace AgentAccessBroker.WebConsole.Tests;

/// <summary>The whole approver and task-owner journey in a real browser against a real broker and a real OpenID provider.</summary>
[Collection(ConsoleCollection.Name)]
public sealed class ConsoleFlowTests(PostgresFixture postgres, BrowserFixture browser)
{
    [Fact]
    public async Task ApproverSignsInWithSso_ApprovesPendingRequest_OwnerSeesLeaseCompletesTaskAndExportsAudit()
    {
        await using var broker = await ConsoleBroker.StartAsync(postgres);
        await broker.Host.PersonAsync("bob", "approver");
        var (agent, task) = await broker.Host.AgentWithTaskAsync("agent-a");
        var pending = await agent.SubmitRequestAsync(broker.ReadSalaries(), CancellationToken.None);
        Assert.Equal("pending_approval", pending.Outcome);

        // Bob signs in through the identity provider (his e-mail claim names him in the policy) and approves.
        await using var bob = await ConsolePage.OpenAsync(browser, broker.Address);
        await bob.SignInWithSsoAsync("bob");
        await bob.GoAsync("/approvals");
        var card = bob.Page.Locator($"article[data-request='{pending.Request.Id}']");
        await Assertions.Expect(card).ToContainTextAsync("Check salary rows the billing export joins on");
        await Assertions.Expect(card.Locator(".factors li").First).ToBeVisibleAsync();
        await Assertions.Expect(card.Locator("progress")).ToHaveAttributeAsync("max", "1");
        await bob.ScreenshotAsync("approvals");
        Assert.Empty(await bob.SeriousAccessibilityViolationsAsync());
        await card.GetByRole(AriaRole.Button, new() { Name = $"Approve {pending.Request.Id}" }).ClickAsync();
        await Assertions.Expect(bob.Page.GetByRole(AriaRole.Status)).ToContainTextAsync($"Approved {pending.Request.Id}");

        // The agent's claim now succeeds: the vote went through the same desk as the API's.
        var claimed = await agent.ClaimRequestAsync(pending.Request.Id, CancellationToken.None);
        Assert.Equal("granted", claimed.Outcome);

        // The task owner (the admin who started it) sees the lease and the blast radius, completes the task, exports audit.
        await using var owner = await ConsolePage.OpenAsync(browser, broker.Address);
        Assert.Equal(302, await owner.SignInWithLinkAsync(await broker.LinkForAsync("admin")));
        await owner.GoAsync("/tasks");
        var taskCard = owner.Page.Locator($"article[data-task='{task.Task.Id}']");
        await Assertions.Expect(taskCard.Locator($"tr[data-lease='{claimed.Lease!.Id}']")).ToContainTextAsync("left");
        await Assertions.Expect(taskCard.Locator(".headline")).ToContainTextAsync("1 high resource readable");
        await Assertions.Expect(taskCard.Locator("h4.sens-high")).ToBeVisibleAsync();
        await owner.ScreenshotAsync("tasks");
        Assert.Empty(await owner.SeriousAccessibilityViolationsAsync());
        await taskCard.GetByRole(AriaRole.Button, new() { Name = $"Complete task {task.Task.Id}" }).ClickAsync();
        await Assertions.Expect(owner.Page.GetByRole(AriaRole.Status)).ToContainTextAsync("1 lease(s) revoked");
        Assert.Equal("revoked", (await broker.Host.Admin.ListLeasesAsync(task.Task.Id, null, CancellationToken.None)).Single().State);

        await owner.GoAsync("/requests");
        await Assertions.Expect(owner.Page.Locator($"tr[data-request='{pending.Request.Id}']")).ToContainTextAsync("issued");
        await owner.ScreenshotAsync("requests");
        Assert.Empty(await owner.SeriousAccessibilityViolationsAsync());

        await owner.GoAsync("/audit");
        await Assertions.Expect(owner.Page.Locator("[data-chain='intact']")).ToBeVisibleAsync();
        await owner.ScreenshotAsync("audit");
        Assert.Empty(await owner.SeriousAccessibilityViolationsAsync());
        foreach (var (label, extension) in new[] { ("JSON lines", "jsonl"), ("CSV", "csv") })
        {
            var download = await owner.Page.RunAndWaitForDownloadAsync(() => owner.Page.GetByRole(AriaRole.Link, new() { Name = label, Exact = true }).ClickAsync());
            var file = Path.Combine(Path.GetTempPath(), $"console-audit-{Guid.NewGuid():N}.{extension}");
            await download.SaveAsAsync(file);
            var verification = AuditVerifier.VerifyFile(file);
            File.Delete(file);
            Assert.True(verification.Valid, string.Join("; ", verification.Problems));
            Assert.True(verification.Events > 5);
        }

        await owner.GoAsync("/admin");
        await Assertions.Expect(owner.Page.Locator("[data-policy='ok']")).ToBeVisibleAsync();
        await Assertions.Expect(owner.Page.Locator("tr[data-principal='bob']")).ToContainTextAsync("approver");
        await owner.ScreenshotAsync("admin");
        Assert.Empty(await owner.SeriousAccessibilityViolationsAsync());
    }

    [Fact]
    public async Task UnknownPerson_SignsInWithSso_SeesNothing()
    {
        await using var broker = await ConsoleBroker.StartAsync(postgres);
        var (agent, _) = await broker.Host.AgentWithTaskAsync("agent-a");
        await agent.SubmitRequestAsync(broker.ReadSalaries(), CancellationToken.None);

        // mallory@example.test is a valid account at the provider but no broker person.
        await using var mallory = await ConsolePage.OpenAsync(browser, broker.Address);
        await mallory.SignInWithSsoAsync("mallory");
        var approvals = await mallory.GoAsync("/approvals");

        Assert.Contains("/signin", mallory.Page.Url, StringComparison.Ordinal);
        Assert.DoesNotContain("salary", await mallory.Page.ContentAsync(), StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(await mallory.Context.CookiesAsync(), c => c.Name == "aab-console");
        Assert.Equal(200, approvals?.Status);
    }
}
