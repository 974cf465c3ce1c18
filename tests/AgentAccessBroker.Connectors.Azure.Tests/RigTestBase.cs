using AgentAccessBroker.Connectors.Azure.Tests.Fakes;
using AgentAccessBroker.Connectors.Azure.Tests.Support;
using AgentAccessBroker.Credentials;

namespace AgentAccessBroker.Connectors.Azure.Tests;

/// <summary>A fresh fake Azure per test.</summary>
public abstract class RigTestBase : IAsyncLifetime
{
    private AzureRig? _rig;

    private protected AzureRig Rig => _rig ?? throw new InvalidOperationException("The rig starts in InitializeAsync.");

    private protected FakeAzureCloud Cloud => Rig.Cloud;

    private protected static string Group => FakeAzureCloud.ResourceGroupScope();

    public async Task InitializeAsync() => _rig = await AzureRig.StartAsync();

    public async Task DisposeAsync()
    {
        if (_rig is not null)
        {
            await _rig.DisposeAsync();
            Assert.Empty(_rig.Cloud.Failures);
        }
    }

    private protected async Task<(MintRequest Request, MintResult Result)> MintAsync(
        ICredentialProvider provider, TargetSettings target, IReadOnlyList<string> resources, IReadOnlyList<string> actions)
    {
        var request = AzureRig.Request(target, resources, actions);
        var plan = provider.Plan(request);
        return (request, await provider.MintAsync(request, plan, CancellationToken.None));
    }

    private protected IReadOnlyList<RecordedRequest> Calls(string method, string pathContains) =>
        Cloud.Requests.Where(r => r.Method == method && r.PathAndQuery.Contains(pathContains, StringComparison.OrdinalIgnoreCase)).ToList();
}
