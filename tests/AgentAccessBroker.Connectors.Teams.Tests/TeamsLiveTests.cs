using AgentAccessBroker.Approvals;
using AgentAccessBroker.Credentials;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace AgentAccessBroker.Connectors.Teams.Tests;

/// <summary>
/// Against real Microsoft services, only with AAB_LIVE=1 (reported skipped otherwise). Bot mode: posts one approval
/// card through the real Bot Connector and marks it expired. Workflows mode: posts one card and its expiry follow-up
/// to a real Workflows trigger. Secrets come from the environment and are never printed.
/// </summary>
public sealed class TeamsLiveTests(ITestOutputHelper output)
{
    [LiveTeamsFact("AAB_TEAMS_APP_ID", "AAB_TEAMS_TENANT_ID", "AAB_TEAMS_APP_PASSWORD", "AAB_TEAMS_SERVICE_URL", "AAB_TEAMS_LIVE_CONVERSATION")]
    public async Task AnnounceAndExpire_RealBotConnector_PostsAndUpdatesTheCard()
    {
        await using var provider = Provider(o =>
        {
            o.Mode = TeamsConnectionMode.Bot;
            o.AppId = Environment.GetEnvironmentVariable("AAB_TEAMS_APP_ID");
            o.TenantId = Environment.GetEnvironmentVariable("AAB_TEAMS_TENANT_ID");
            o.ServiceUrl = new Uri(Environment.GetEnvironmentVariable("AAB_TEAMS_SERVICE_URL")!);
            o.DefaultConversationId = Environment.GetEnvironmentVariable("AAB_TEAMS_LIVE_CONVERSATION");
        });
        await AnnounceAndExpireAsync(provider);
    }

    [LiveTeamsFact("AAB_TEAMS_WORKFLOWS_URL", "AAB_TEAMS_CONSOLE_URL")]
    public async Task AnnounceAndExpire_RealWorkflowsTrigger_PostsCardAndFollowUp()
    {
        await using var provider = Provider(o =>
        {
            o.Mode = TeamsConnectionMode.Workflows;
            o.ConsoleBaseUrl = new Uri(Environment.GetEnvironmentVariable("AAB_TEAMS_CONSOLE_URL")!);
        });
        await AnnounceAndExpireAsync(provider);
    }

    private async Task AnnounceAndExpireAsync(ServiceProvider provider)
    {
        var channel = provider.GetServices<IApprovalChannel>().Single();
        var notice = Notices.Sample("req_live_" + Guid.NewGuid().ToString("N")[..8]);

        var reference = await channel.AnnounceAsync(notice, CancellationToken.None);
        Assert.NotNull(reference);
        await channel.UpdateAsync(reference!, notice, new ApprovalStatus([], ApprovalOutcome.Expired, DateTimeOffset.UtcNow), CancellationToken.None);

        output.WriteLine("posted and expired " + notice.RequestId);
    }

    private static ServiceProvider Provider(Action<TeamsConnectorOptions> configure)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<ISecretResolver, EnvironmentSecretResolver>();
        services.AddTeamsApprovals(configure);
        return services.BuildServiceProvider();
    }

    private sealed class EnvironmentSecretResolver : ISecretResolver
    {
        public string Resolve(SecretReference reference) =>
            reference.Source == SecretSource.Environment ? Environment.GetEnvironmentVariable(reference.Location) ?? string.Empty : string.Empty;
    }
}
