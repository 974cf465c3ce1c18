using AgentAccessBroker.Credentials;
using AgentAccessBroker.SampleConnector.Connector;
using AgentAccessBroker.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace AgentAccessBroker.SampleConnector.Tests;

/// <summary>The provider conformance suite against the sample connector, each provider from its own one-line registration.</summary>
public sealed class SampleConnectorConformanceTests : CredentialProviderConformance, IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("aab-sample-").FullName;

    protected override TargetSettings Target => new("notes", SampleCredentialProvider.ConnectorName,
        new Dictionary<string, string> { ["directory"] = _directory }, new Dictionary<string, SecretReference>());

    protected override IReadOnlyList<string> Resources => ["notes/runbook"];

    protected override IReadOnlyList<string> Actions => ["read"];

    protected override ICredentialProvider CreateProvider()
    {
        var services = new ServiceCollection().AddSampleConnector(new ConfigurationBuilder().Build());
        return services.BuildServiceProvider().GetRequiredService<ICredentialProvider>();
    }

    protected override Task<bool> CredentialWorksAsync(IssuedCredential credential, CancellationToken cancellationToken) =>
        Task.FromResult(SampleCredentialProvider.Accepts(Target, credential.EnvironmentVariables["SAMPLE_TOKEN"]));

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
