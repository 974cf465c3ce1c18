using System.Text.Json.Nodes;
using AgentAccessBroker.Client;
using AgentAccessBroker.Connectors.Teams.Tests.Fakes;
using AgentAccessBroker.Testing;
using RealBroker = AgentAccessBroker.Testing.Broker.BrokerHost;

namespace AgentAccessBroker.Connectors.Teams.Tests;

/// <summary>
/// The whole approval path with the real broker (real desk, store, Quartz, audit and PostgreSQL provider) and the Teams
/// channel registered by the host, against the fake Microsoft side: racing Action.Execute clicks, refused clickers,
/// and expiry shown on the card by a broker node that did not post it.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class TeamsBrokerEndToEndTests(PostgresFixture postgres)
{
    private const string BobObjectId = "b0b00000-0000-4000-8000-0000000000b0";
    private const string CarolObjectId = "ca201000-0000-4000-8000-0000000000ca";
    private const string AliceObjectId = "a11ce000-0000-4000-8000-0000000000a1";
    private const string AdminObjectId = "ad310000-0000-4000-8000-0000000000ad";

    [Fact]
    public async Task TwentyConcurrentExecuteApprovals_OnRealBroker_ExactlyOneLeaseAndCardShowsOutcome()
    {
        await using var cloud = await FakeTeamsCloud.StartAsync();
        await using var host = await RealBroker.StartAsync(postgres, settings: TeamsSettings(cloud));
        var (agent, task) = await host.AgentWithTaskAsync("agent-a");

        var pending = await agent.SubmitRequestAsync(SalaryRead(host), CancellationToken.None);
        await cloud.Changed.WaitUntilAsync(() => cloud.Activities.Count == 1, "the approval card");
        var clicks = Enumerable.Range(0, 20)
            .Select(i => PostAsync(host, cloud, Invoke(cloud, pending.Request.Id, "approve", i % 2 == 0 ? BobObjectId : CarolObjectId)));
        var replies = await Task.WhenAll(clicks);
        await cloud.Changed.WaitUntilAsync(() => cloud.Activities.Values.Single()["attachments"]![0]!["content"]!["actions"] is null, "the decided card");
        var claims = await Task.WhenAll(Enumerable.Range(0, 5).Select(_ => agent.ClaimRequestAsync(pending.Request.Id, CancellationToken.None)));

        Assert.Equal("pending_approval", pending.Outcome);
        Assert.All(replies, r => Assert.Equal(200, r.Status));
        Assert.Single(claims, c => c.Outcome == "granted");
        Assert.Single(await host.Admin.ListLeasesAsync(task.Task.Id, null, CancellationToken.None));
        Assert.Contains(replies, r => r.Body?["type"]?.GetValue<string>() == "application/vnd.microsoft.card.adaptive");
        Assert.Contains("Approved", cloud.Activities.Values.Single().ToJsonString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnknownTeamsUserAgentOwnerAndTaskOwner_OnRealBroker_DecideNothing()
    {
        await using var cloud = await FakeTeamsCloud.StartAsync();
        await using var host = await RealBroker.StartAsync(postgres, settings: TeamsSettings(cloud));
        var (agent, _) = await host.AgentWithTaskAsync("agent-a");
        var pending = await agent.SubmitRequestAsync(SalaryRead(host), CancellationToken.None);
        await cloud.Changed.WaitUntilAsync(() => cloud.Activities.Count == 1, "the approval card");

        var stranger = await PostAsync(host, cloud, Invoke(cloud, pending.Request.Id, "approve", "5a7a0000-0000-4000-8000-00000000005a"));
        // alice owns the agent and has no Teams identity in the policy; admin started the task and is in the group.
        var agentOwner = await PostAsync(host, cloud, Invoke(cloud, pending.Request.Id, "approve", AliceObjectId));
        var taskOwner = await PostAsync(host, cloud, Invoke(cloud, pending.Request.Id, "approve", AdminObjectId));
        var forged = await PostAsync(host, cloud, Invoke(cloud, pending.Request.Id, "approve", BobObjectId), token: cloud.BotToken(audience: "someone-else"));

        Assert.Contains("not an approver", stranger.Body!["value"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Contains("not an approver", agentOwner.Body!["value"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Contains("started this task", taskOwner.Body!["value"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(401, forged.Status);
        Assert.Equal("pending", (await host.Admin.GetRequestAsync(pending.Request.Id, CancellationToken.None)).Status);
        Assert.NotNull(cloud.Activities.Values.Single()["attachments"]![0]!["content"]!["actions"]);
        using var export = new MemoryStream();
        await host.Admin.ExportAuditAsync(null, null, null, null, "jsonl", export, CancellationToken.None);
        var rejected = System.Text.Encoding.UTF8.GetString(export.ToArray()).Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Where(l => l.Contains("approval.rejected", StringComparison.Ordinal) && l.Contains(pending.Request.Id, StringComparison.Ordinal))
            .ToList();
        Assert.Equal(2, rejected.Count(l => l.Contains("unknown_teams_user", StringComparison.Ordinal)));
        Assert.Contains(rejected, l => l.Contains("self_approval", StringComparison.Ordinal) && l.Contains(AdminObjectId, StringComparison.Ordinal));
        Assert.DoesNotContain(FakeTeamsCloud.AppPassword, string.Join("\n", rejected), StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnansweredRequest_PostingNodeGone_OtherNodeExpiresItAndUpdatesTheCard()
    {
        await using var cloud = await FakeTeamsCloud.StartAsync();
        var (first, second) = await RealBroker.StartClusterAsync(postgres, sweepInterval: TimeSpan.FromSeconds(1), approvalTimeout: "8s", settings: TeamsSettings(cloud));
        await using var survivor = second;
        string requestId;
        await using (first)
        {
            var (agent, _) = await first.AgentWithTaskAsync("agent-a");
            var pending = await agent.SubmitRequestAsync(SalaryRead(first), CancellationToken.None);
            requestId = pending.Request.Id;
            await cloud.Changed.WaitUntilAsync(() => cloud.Activities.Count == 1, "the approval card");
        }

        // The node that posted the card is gone; only the stored announcement reference is left to update it with.
        Assert.Equal("pending", (await survivor.Admin.GetRequestAsync(requestId, CancellationToken.None)).Status);
        await cloud.Changed.WaitUntilAsync(() => !cloud.Updates.IsEmpty, "the expired card", TimeSpan.FromSeconds(60));

        var card = cloud.Activities.Values.Single()["attachments"]![0]!["content"]!;
        Assert.Null(card["actions"]);
        Assert.Contains("Expired", card.ToJsonString(), StringComparison.Ordinal);
        Assert.Equal("expired", (await survivor.Admin.GetRequestAsync(requestId, CancellationToken.None)).Status);
    }

    private static AccessRequestBody SalaryRead(RealBroker host) =>
        new("app-db", [$"{host.Database}.hr.salaries"], ["SELECT"], "Check salary rows the billing export joins on", "15m");

    private static JsonObject Invoke(FakeTeamsCloud cloud, string requestId, string verb, string aadObjectId) =>
        TeamsHost.Invoke(cloud, requestId, verb, aadObjectId);

    private static async Task<(int Status, JsonObject? Body)> PostAsync(RealBroker host, FakeTeamsCloud cloud, JsonObject activity, string? token = null)
    {
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(host.Address, "v1/teams/messages"))
        {
            Content = new StringContent(activity.ToJsonString(), System.Text.Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token ?? cloud.BotToken());
        using var response = await http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return ((int)response.StatusCode, text.Length == 0 ? null : JsonNode.Parse(text) as JsonObject);
    }

    /// <summary>Turns Teams (bot mode) on for one broker, pointed at the fake; the app password is read by reference, as in production.</summary>
    private static Dictionary<string, string?> TeamsSettings(FakeTeamsCloud cloud)
    {
        Environment.SetEnvironmentVariable("AAB_TEST_TEAMS_APP_PASSWORD", FakeTeamsCloud.AppPassword);
        return new Dictionary<string, string?>
        {
            ["Channels:Teams:Enabled"] = "true",
            ["Channels:Teams:Mode"] = "Bot",
            ["Channels:Teams:AppId"] = FakeTeamsCloud.AppId,
            ["Channels:Teams:TenantId"] = FakeTeamsCloud.TenantId,
            ["Channels:Teams:AppPasswordRef"] = "env:AAB_TEST_TEAMS_APP_PASSWORD",
            ["Channels:Teams:ServiceUrl"] = cloud.ServiceUrl.AbsoluteUri,
            ["Channels:Teams:DefaultConversationId"] = FakeTeamsCloud.Conversation,
            ["Channels:Teams:OpenIdMetadataUrl"] = cloud.OpenIdMetadataUrl.AbsoluteUri,
            ["Channels:Teams:AuthorityHost"] = cloud.BaseUrl.AbsoluteUri,
        };
    }
}
