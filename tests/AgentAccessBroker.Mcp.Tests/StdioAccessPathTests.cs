using System.Text.RegularExpressions;
using AgentAccessBroker.Client;
using AgentAccessBroker.Mcp.Tests.Harness;
using AgentAccessBroker.Testing;
using AgentAccessBroker.Testing.Broker;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;
using Npgsql;
using static AgentAccessBroker.Mcp.Tests.Harness.ToolResults;

namespace AgentAccessBroker.Mcp.Tests;

/// <summary>Every path an agent walks, over real stdio: <c>dotnet aab.dll mcp</c> as a child process driven by the SDK's client.</summary>
[Collection(PostgresCollection.Name)]
public sealed class StdioAccessPathTests(PostgresFixture postgres)
{
    [Fact]
    public async Task RequestAccess_NarrowRead_GrantWorksUntilReleasedThenIsDeadAndReleaseIsIdempotent()
    {
        await using var broker = await BrokerWithTask.StartAsync(postgres);
        await using var mcp = await McpSubprocess.StartAsync(broker);

        var granted = await mcp.Client.CallToolAsync("request_access", RequestArgs(broker.Host.ReadInvoices()));
        var connection = granted.Field("connection_string");
        var lease = granted.IdAfter("lease ");
        var rows = await BrokerHost.QueryAsync(connection, "SELECT count(*) FROM public.invoices");
        var listed = await mcp.Client.CallToolAsync("list_access");
        var released = await mcp.Client.CallToolAsync("release_access", Args(("lease_id", lease)));
        var releasedAgain = await mcp.Client.CallToolAsync("release_access", Args(("lease_id", lease)));
        var listedAfter = await mcp.Client.CallToolAsync("list_access");

        Assert.NotEqual(true, granted.IsError);
        Assert.StartsWith("GRANTED", granted.Text(), StringComparison.Ordinal);
        Assert.Contains("PGPASSWORD=", granted.Text(), StringComparison.Ordinal);
        Assert.Contains("How it ends: Revocation is immediate", granted.Text(), StringComparison.Ordinal);
        Assert.Equal(7L, rows);
        Assert.Contains(lease, listed.Text(), StringComparison.Ordinal);
        Assert.Matches(@"\d+m\d\ds left", listed.Text());
        Assert.NotEqual(true, released.IsError);
        Assert.Contains("is revoked and verified", released.Text(), StringComparison.Ordinal);
        Assert.NotEqual(true, releasedAgain.IsError);
        Assert.Contains("already revoked", releasedAgain.Text(), StringComparison.Ordinal);
        Assert.Contains("No live access", listedAfter.Text(), StringComparison.Ordinal);
        await Assert.ThrowsAsync<PostgresException>(() => BrokerHost.QueryAsync(connection, "SELECT 1"));
    }

    [Fact]
    public async Task ReleaseAccess_All_CompletesTaskRevokesEveryLeaseAndRefusesFurtherRequests()
    {
        await using var broker = await BrokerWithTask.StartAsync(postgres);
        await using var mcp = await McpSubprocess.StartAsync(broker);
        var first = await mcp.Client.CallToolAsync("request_access", RequestArgs(broker.Host.ReadInvoices()));
        var second = await mcp.Client.CallToolAsync("request_access", RequestArgs(broker.Host.ReadInvoices("10m")));

        var done = await mcp.Client.CallToolAsync("release_access", Args(("all", true)));
        var afterwards = await mcp.Client.CallToolAsync("request_access", RequestArgs(broker.Host.ReadInvoices()));

        Assert.NotEqual(true, done.IsError);
        Assert.Contains("2 lease(s) revoked", done.Text(), StringComparison.Ordinal);
        foreach (var grant in new[] { first, second })
        {
            await Assert.ThrowsAsync<PostgresException>(() => BrokerHost.QueryAsync(grant.Field("connection_string"), "SELECT 1"));
        }

        Assert.True(afterwards.IsError);
        Assert.Contains("task_not_active", afterwards.Text(), StringComparison.Ordinal);
        Assert.Equal("completed", (await broker.Host.Admin.GetTaskAsync(broker.Task.Task.Id, CancellationToken.None)).State);
    }

    [Fact]
    public async Task RequestAccess_UnknownResource_IsErrorWithReasons()
    {
        await using var broker = await BrokerWithTask.StartAsync(postgres);
        await using var mcp = await McpSubprocess.StartAsync(broker);

        var denied = await mcp.Client.CallToolAsync("request_access", RequestArgs(UnknownResource()));

        Assert.True(denied.IsError);
        Assert.StartsWith("DENIED", denied.Text(), StringComparison.Ordinal);
        Assert.Contains("otherdb.public.secrets", denied.Text(), StringComparison.Ordinal);
        Assert.Contains("Why:", denied.Text(), StringComparison.Ordinal);
        Assert.DoesNotContain("PGPASSWORD", denied.Text(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task RequestAccess_BroadRequestDenied_SuggestsANarrowerRequestThatIsNotRefused()
    {
        await using var broker = await BrokerWithTask.StartAsync(postgres);
        await using var mcp = await McpSubprocess.StartAsync(broker);
        var broad = new AccessRequestBody("app-db", [$"{broker.Host.Database}.public.*"], ["SELECT", "DELETE"], broker.Host.ReadInvoices().Purpose, "4h");

        var denied = await mcp.Client.CallToolAsync("request_access", RequestArgs(broad));
        var decided = await broker.Host.Admin.GetRequestAsync(denied.IdAfter("request "), CancellationToken.None);
        // Follow the suggestion exactly as the text states it, the way an agent would.
        var suggestion = Regex.Match(denied.Text(), @"resources \[(?<r>[^\]]*)\], actions \[(?<a>[^\]]*)\], duration ""(?<d>[^""]+)""");
        var narrower = await mcp.Client.CallToolAsync("request_access", RequestArgs(new AccessRequestBody(
            "app-db", Unquote(suggestion.Groups["r"].Value), Unquote(suggestion.Groups["a"].Value), broad.Purpose, suggestion.Groups["d"].Value)));

        Assert.True(denied.IsError, denied.Text());
        Assert.Equal("denied", decided.Status);
        var expected = decided.Assessment!.NarrowerRequest;
        Assert.NotNull(expected);
        Assert.True(suggestion.Success, denied.Text());
        Assert.Equal(expected.Resources, Unquote(suggestion.Groups["r"].Value));
        Assert.Equal(expected.Actions, Unquote(suggestion.Groups["a"].Value));
        // A suggestion is a promise: following it after the denial is granted automatically.
        Assert.True(narrower.IsError != true && narrower.Text().StartsWith("GRANTED", StringComparison.Ordinal), narrower.Text());
    }

    [Fact]
    public async Task CheckRequest_ApprovedFromTheCliWhileWaiting_ReturnsWorkingCredentialAndReportsProgress()
    {
        await using var broker = await BrokerWithTask.StartAsync(postgres);
        await using var mcp = await McpSubprocess.StartAsync(broker);
        var bob = await broker.Host.PersonAsync("bob", "approver");
        var pending = await mcp.Client.CallToolAsync("request_access", RequestArgs(ReadSalaries(broker.Host)));
        var requestId = pending.IdAfter("request ");
        var progress = new RecordingProgress();

        var waiting = mcp.Client.CallToolAsync("check_request", Args(("request_id", requestId), ("wait_seconds", 20)), progress).AsTask();
        await progress.First.WaitAsync(TimeSpan.FromSeconds(15));
        var approval = await AabCli.RunAsync(["approve", requestId, "--comment", "ok for the export fix"],
            new Dictionary<string, string> { ["AAB_SERVER"] = broker.Host.Address.ToString(), ["AAB_TOKEN"] = bob });
        var granted = await waiting.WaitAsync(TimeSpan.FromSeconds(25));

        Assert.NotEqual(true, pending.IsError);
        Assert.StartsWith("PENDING", pending.Text(), StringComparison.Ordinal);
        Assert.Contains("'platform'", pending.Text(), StringComparison.Ordinal);
        Assert.Contains("check_request", pending.Text(), StringComparison.Ordinal);
        Assert.True(approval.ExitCode == 0, approval.StandardError);
        Assert.False(waiting.IsFaulted);
        Assert.NotEqual(true, granted.IsError);
        Assert.StartsWith("GRANTED", granted.Text(), StringComparison.Ordinal);
        Assert.Equal(0L, await BrokerHost.QueryAsync(granted.Field("connection_string"), "SELECT count(*) FROM hr.salaries"));
        Assert.NotEmpty(progress.Received);
        Assert.All(progress.Received, p => Assert.Contains("waiting for approval from platform", p.Message, StringComparison.Ordinal));
        Assert.All(progress.Received, p => Assert.Equal(20f, p.Total));
    }

    [Fact]
    public async Task CheckRequest_NobodyDecidesInTime_ReturnsPendingWithHowToWaitAgain()
    {
        await using var broker = await BrokerWithTask.StartAsync(postgres);
        await using var mcp = await McpSubprocess.StartAsync(broker);
        var pending = await mcp.Client.CallToolAsync("request_access", RequestArgs(ReadSalaries(broker.Host)));

        var still = await mcp.Client.CallToolAsync("check_request", Args(("request_id", pending.IdAfter("request ")), ("wait_seconds", 0)));

        Assert.NotEqual(true, still.IsError);
        Assert.StartsWith("PENDING", still.Text(), StringComparison.Ordinal);
        Assert.Contains("Call check_request", still.Text(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task RequestAccess_AfterThreeDenialsInARow_SaysTheTaskIsInHumanReviewMode()
    {
        await using var broker = await BrokerWithTask.StartAsync(postgres);
        await using var mcp = await McpSubprocess.StartAsync(broker);
        var denials = new List<CallToolResult>();
        for (var i = 0; i < 3; i++)
        {
            denials.Add(await mcp.Client.CallToolAsync("request_access", RequestArgs(UnknownResource())));
        }

        var next = await mcp.Client.CallToolAsync("request_access", RequestArgs(broker.Host.ReadInvoices()));

        Assert.All(denials, d => Assert.True(d.IsError));
        Assert.Contains("human-review mode", next.Text(), StringComparison.Ordinal);
        Assert.DoesNotContain("GRANTED", next.Text(), StringComparison.Ordinal);
        Assert.DoesNotContain("PGPASSWORD", next.Text(), StringComparison.Ordinal);
    }

    private static string[] Unquote(string list) =>
        list.Split(", ", StringSplitOptions.RemoveEmptyEntries).Select(v => v.Trim('"')).ToArray();

    private static AccessRequestBody UnknownResource() =>
        new("app-db", ["otherdb.public.secrets"], ["SELECT"], "Read secrets for the billing export", "15m");

    private static AccessRequestBody ReadSalaries(BrokerHost host) =>
        new("app-db", [$"{host.Database}.hr.salaries"], ["SELECT"], "Check salary rows the billing export joins on", "15m");

    private static IReadOnlyDictionary<string, object?> RequestArgs(AccessRequestBody request) => Args(
        ("target", request.Target), ("resources", request.Resources), ("actions", request.Actions), ("purpose", request.Purpose), ("duration", request.Duration));
}
