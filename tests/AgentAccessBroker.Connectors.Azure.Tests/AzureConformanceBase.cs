using AgentAccessBroker.Connectors.Azure.Tests.Fakes;
using AgentAccessBroker.Connectors.Azure.Tests.Support;
using AgentAccessBroker.Credentials;
using AgentAccessBroker.Testing;

namespace AgentAccessBroker.Connectors.Azure.Tests;

/// <summary>The shared provider conformance suite against the fake Azure, once per mode.</summary>
public abstract class AzureConformanceBase : CredentialProviderConformance, IAsyncLifetime
{
    private AzureRig? _rig;

    private protected AzureRig Rig => _rig ?? throw new InvalidOperationException("The rig starts in InitializeAsync.");

    protected abstract string Mode { get; }

    protected override TargetSettings Target => Rig.Target(Mode);

    protected override IReadOnlyList<string> Resources => [FakeAzureCloud.ResourceGroupScope()];

    protected override IReadOnlyList<string> Actions => ["Reader"];

    public async Task InitializeAsync() => _rig = await AzureRig.StartAsync();

    public async Task DisposeAsync()
    {
        if (_rig is not null)
        {
            await _rig.DisposeAsync();
            Assert.Empty(_rig.Cloud.Failures);
        }
    }

    protected override ICredentialProvider CreateProvider() => Rig.CreateProvider();

    protected override Task<bool> CredentialWorksAsync(IssuedCredential credential, CancellationToken cancellationToken) =>
        Rig.WorksAsync(credential, FakeAzureCloud.ResourceGroupScope() + "/providers/Microsoft.Storage/storageAccounts/stagentwork");
}

public sealed class AssignmentModeConformanceTests : AzureConformanceBase
{
    protected override string Mode => "assignment";
}

public sealed class PimModeConformanceTests : AzureConformanceBase
{
    protected override string Mode => "pim";
}

public sealed class ClientSecretModeConformanceTests : AzureConformanceBase
{
    protected override string Mode => "client_secret";
}
