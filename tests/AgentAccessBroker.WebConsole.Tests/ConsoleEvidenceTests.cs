using System.Security.Cryptography;
using AgentAccessBroker.Server.Evidence;
using AgentAccessBroker.Testing;
using Microsoft.Playwright;

namespace AgentAccessBroker.WebConsole.Tests;

/// <summary>Evidence packs from the console: the same signed pack as the API's, checked with the verifier <c>aab evidence verify</c> runs.</summary>
[Collection(ConsoleCollection.Name)]
public sealed class ConsoleEvidenceTests(PostgresFixture postgres, BrowserFixture browser)
{
    [Fact]
    public async Task Auditor_DownloadsTaskAndPeriodPacks_BothVerifyAgainstTheBrokersKey()
    {
        await using var broker = await ConsoleBroker.StartAsync(postgres);
        await broker.Host.PersonAsync("erin", "auditor");
        var (agent, task) = await broker.Host.AgentWithTaskAsync("agent-a");
        var granted = await agent.SubmitRequestAsync(broker.Host.ReadInvoices(), CancellationToken.None);
        Assert.Equal("granted", granted.Outcome);
        await broker.Host.Admin.CompleteTaskAsync(task.Task.Id, CancellationToken.None);
        await using var erin = await ConsolePage.OpenAsync(browser, broker.Address);
        await erin.SignInWithLinkAsync(await broker.LinkForAsync("erin"));
        var work = Directory.CreateTempSubdirectory("aab-console-evidence-").FullName;

        await erin.GoAsync("/evidence");
        await erin.ScreenshotAsync("evidence");
        Assert.Empty(await erin.SeriousAccessibilityViolationsAsync());
        var pem = await DownloadAsync(erin, erin.Page.GetByRole(AriaRole.Link, new() { Name = "download broker.pem" }), Path.Combine(work, "broker.pem"));
        var taskZip = await DownloadAsync(erin, erin.Page.GetByRole(AriaRole.Link, new() { Name = $"Download evidence for {task.Task.Id}" }), Path.Combine(work, "task.zip"));
        var now = DateTime.UtcNow;
        await erin.Page.GetByLabel("From (UTC)").FillAsync(now.AddHours(-1).ToString("yyyy-MM-ddTHH:mm", System.Globalization.CultureInfo.InvariantCulture));
        await erin.Page.GetByLabel("To (UTC)").FillAsync(now.AddHours(1).ToString("yyyy-MM-ddTHH:mm", System.Globalization.CultureInfo.InvariantCulture));
        var periodZip = await DownloadAsync(erin, erin.Page.GetByRole(AriaRole.Button, new() { Name = "Download period pack" }), Path.Combine(work, "period.zip"));

        // The key the console offered is the broker's audit key, the one the API serves.
        Assert.Equal(await broker.Host.Admin.GetAuditPublicKeyAsync(CancellationToken.None), await File.ReadAllTextAsync(pem));
        using var key = ECDsa.Create();
        key.ImportFromPem(await File.ReadAllTextAsync(pem));
        foreach (var (zip, expectedTasks) in new[] { (taskZip, "1"), (periodZip, "1") })
        {
            var directory = Path.ChangeExtension(zip, null);
            await using (var archive = File.OpenRead(zip))
            {
                await EvidencePack.ExtractZipAsync(archive, directory, CancellationToken.None);
            }

            var verification = EvidenceVerifier.VerifyDirectory(directory, key.ExportSubjectPublicKeyInfo());
            var facts = EvidenceVerifier.StatedFacts(await File.ReadAllTextAsync(Path.Combine(directory, "report.html")), []);

            Assert.True(verification.Valid, $"{Path.GetFileName(zip)}: {string.Join("; ", verification.Altered.Concat(verification.Disagreements))}");
            Assert.True(verification.SignerVerified);
            Assert.Equal(expectedTasks, facts["figure.tasks"]);
            Assert.Equal("1", facts["figure.leases_revoked_verified"]);
        }

        Directory.Delete(work, recursive: true);
    }

    [Fact]
    public async Task Approver_WhoIsNoAuditor_IsRefusedThePageAndThePack()
    {
        await using var broker = await ConsoleBroker.StartAsync(postgres);
        await broker.Host.PersonAsync("bob", "approver");
        var (_, task) = await broker.Host.AgentWithTaskAsync("agent-a");
        await using var bob = await ConsolePage.OpenAsync(browser, broker.Address);
        await bob.SignInWithLinkAsync(await broker.LinkForAsync("bob"));

        await bob.GoAsync("/evidence");
        var page = bob.Page.Url;
        var pack = await bob.Context.APIRequest.GetAsync(new Uri(broker.Address, $"evidence?handler=Pack&task={task.Task.Id}").AbsoluteUri, new() { MaxRedirects = 0 });

        Assert.Contains("/forbidden", page, StringComparison.Ordinal);
        Assert.Equal(302, pack.Status);
        Assert.Contains("/forbidden", pack.Headers["location"], StringComparison.Ordinal);
        Assert.Equal(0, await bob.Page.GetByRole(AriaRole.Link, new() { Name = "Evidence", Exact = true }).CountAsync());
    }

    private static async Task<string> DownloadAsync(ConsolePage page, ILocator trigger, string path)
    {
        var download = await page.Page.RunAndWaitForDownloadAsync(() => trigger.ClickAsync());
        await download.SaveAsAsync(path);
        return path;
    }
}
