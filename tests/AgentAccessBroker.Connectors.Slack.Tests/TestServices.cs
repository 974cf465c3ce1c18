using AgentAccessBroker.Connectors.Slack.Tests.Fakes;
using AgentAccessBroker.Credentials;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using AgentAccessBroker.Testing.Fakes;

namespace AgentAccessBroker.Connectors.Slack.Tests;

/// <summary>The connector's services without a web host, for client and channel tests.</summary>
internal static class TestServices
{
    public static ServiceProvider Build(
        FakeSlack slack, TimeProvider time, RecordingLoggerProvider? logs = null, Action<SlackConnectorOptions>? configure = null)
    {
        var services = new ServiceCollection();
        services.AddLogging(b => b.AddProvider(logs ?? new RecordingLoggerProvider()).SetMinimumLevel(LogLevel.Trace));
        services.AddSingleton(time);
        services.AddSingleton<ISecretResolver>(new DictionarySecretResolver(BrokerHost.Secrets));
        services.AddSlackApprovals(options =>
        {
            options.ApiBaseUrl = slack.ApiBaseUrl;
            configure?.Invoke(options);
        });
        return services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
    }
}
