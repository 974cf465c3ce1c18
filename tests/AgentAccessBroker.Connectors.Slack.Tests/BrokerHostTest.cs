using AgentAccessBroker.Connectors.Slack.Tests.Fakes;

namespace AgentAccessBroker.Connectors.Slack.Tests;

/// <summary>Base of tests that run a fake Slack and a broker host per test.</summary>
public abstract class BrokerHostTest : IAsyncLifetime
{
    private protected FakeSlack Slack { get; private set; } = null!;

    private protected BrokerHost Host { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Slack = await FakeSlack.StartAsync();
        Host = await BrokerHost.StartAsync(Slack, Configure);
        await StartedAsync();
    }

    public async Task DisposeAsync()
    {
        await Host.DisposeAsync();
        await Slack.DisposeAsync();
    }

    protected virtual void Configure(SlackConnectorOptions options)
    {
    }

    protected virtual Task StartedAsync() => Task.CompletedTask;
}
