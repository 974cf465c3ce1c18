using System.Text.Json.Nodes;
using AgentAccessBroker.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Playwright;

namespace AgentAccessBroker.WebConsole.Tests;

/// <summary>
/// Teams in Workflows mode (no bot): the broker posts the approval card to the Workflows webhook, and the card's
/// "Review in AgentAccessBroker" link opens the console's approval page, where the signed-in approver sees the request.
/// </summary>
[Collection(ConsoleCollection.Name)]
public sealed class TeamsWorkflowsLinkTests(PostgresFixture postgres, BrowserFixture browser)
{
    [Fact]
    public async Task WorkflowsCard_ReviewLink_OpensConsoleApprovalPageWithTheRequest()
    {
        await using var webhook = await WorkflowsWebhook.StartAsync();
        var port = OidcProvider.FreePort();
        // The webhook URL is a secret: it comes by reference, as in production.
        Environment.SetEnvironmentVariable("AAB_TEST_TEAMS_WORKFLOWS_URL", webhook.Url.AbsoluteUri);
        await using var broker = await ConsoleBroker.StartAsync(postgres, o => o with { Urls = $"http://127.0.0.1:{port}" }, new Dictionary<string, string?>
        {
            ["Channels:Teams:Enabled"] = "true",
            ["Channels:Teams:Mode"] = "Workflows",
            ["Channels:Teams:WorkflowsWebhookUrlRef"] = "env:AAB_TEST_TEAMS_WORKFLOWS_URL",
            ["Channels:Teams:ConsoleBaseUrl"] = $"http://127.0.0.1:{port}/",
        });
        await broker.Host.PersonAsync("bob", "approver");
        var (agent, _) = await broker.Host.AgentWithTaskAsync("agent-a");

        var pending = await agent.SubmitRequestAsync(broker.ReadSalaries(), CancellationToken.None);
        var message = await webhook.Received.Task.WaitAsync(TimeSpan.FromSeconds(30));
        var card = message["attachments"]![0]!["content"]!;
        var action = card["actions"]![0]!;
        var link = new Uri(action["url"]!.GetValue<string>());

        Assert.Equal("pending_approval", pending.Outcome);
        Assert.Equal("Action.OpenUrl", action["type"]!.GetValue<string>());
        Assert.Equal("Review in AgentAccessBroker", action["title"]!.GetValue<string>());
        Assert.Equal(broker.Address.Authority, link.Authority);
        Assert.Contains("Check salary rows the billing export joins on", card.ToJsonString(), StringComparison.Ordinal);

        await using var bob = await ConsolePage.OpenAsync(browser, broker.Address);
        await bob.SignInWithSsoAsync("bob");
        var opened = await bob.Page.GotoAsync(link.AbsoluteUri);
        Assert.Equal(200, opened?.Status);
        var request = bob.Page.Locator($"article[data-request='{pending.Request.Id}']");
        await Assertions.Expect(request).ToContainTextAsync("Check salary rows the billing export joins on");
        await Assertions.Expect(request.GetByRole(AriaRole.Button, new() { Name = $"Approve {pending.Request.Id}" })).ToBeVisibleAsync();
        await bob.ScreenshotAsync("teams-workflows-link");
        Assert.Empty(await bob.SeriousAccessibilityViolationsAsync());
    }

    /// <summary>A Teams Workflows trigger on loopback: accepts one Adaptive Card message with 202, as Workflows do.</summary>
    private sealed class WorkflowsWebhook : IAsyncDisposable
    {
        private readonly WebApplication _app;

        private WorkflowsWebhook(WebApplication app) => _app = app;

        public TaskCompletionSource<JsonObject> Received { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Uri Url { get; private set; } = null!;

        public static async Task<WorkflowsWebhook> StartAsync()
        {
            var builder = WebApplication.CreateSlimBuilder();
            builder.Logging.ClearProviders();
            builder.WebHost.UseUrls("http://127.0.0.1:0");
            var app = builder.Build();
            var webhook = new WorkflowsWebhook(app);
            app.MapPost("/workflows/{flow}/triggers/manual/paths/invoke", async (HttpRequest request) =>
            {
                if (await JsonNode.ParseAsync(request.Body) is JsonObject { } message
                    && message["attachments"]?[0]?["contentType"]?.GetValue<string>() == "application/vnd.microsoft.card.adaptive")
                {
                    webhook.Received.TrySetResult(message);
                    return Results.StatusCode(202);
                }

                return Results.BadRequest();
            });
            await app.StartAsync();
            webhook.Url = new Uri(new Uri(app.Urls.First()), "/workflows/0f1e2d3c/triggers/manual/paths/invoke?api-version=1&sig=test-signature");
            return webhook;
        }

        public async ValueTask DisposeAsync() => await _app.DisposeAsync();
    }
}
