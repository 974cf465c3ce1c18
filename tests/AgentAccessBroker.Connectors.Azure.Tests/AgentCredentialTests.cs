using AgentAccessBroker.Connectors.Azure.Tests.Fakes;

namespace AgentAccessBroker.Connectors.Azure.Tests;

public sealed class AgentCredentialTests : RigTestBase, IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("aab-azure-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task Mint_AgentSignsInWithCertificate_TokenWorks()
    {
        var certificate = TestCertificates.CreateClientCertificate("aab-agent");
        Cloud.Agent.Certificate = certificate;
        var path = TestCertificates.WritePem(certificate, _directory);
        var target = Rig.Target();
        target = target with { SecretReferences = new Dictionary<string, Credentials.SecretReference>(), Settings = new Dictionary<string, string>(target.Settings) { ["client_certificate_path"] = path } };

        var (_, result) = await MintAsync(Rig.CreateProvider(), target, [Group], ["Reader"]);

        Assert.Empty(Cloud.Failures);
        Assert.True(await Rig.WorksAsync(result.Credential, Group));
        var tokenCall = Assert.Single(Calls("POST", "/oauth2/v2.0/token"), r => r.Body.Contains(Cloud.Agent.AppId, StringComparison.Ordinal));
        Assert.Contains("client_assertion=", tokenCall.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Mint_AgentSignsInWithWorkloadIdentity_TokenWorks()
    {
        Cloud.Agent.FederatedToken = "eyJ.federated-token-from-kubernetes." + Guid.NewGuid().ToString("N");
        var path = Path.Combine(_directory, "azure-identity-token");
        await File.WriteAllTextAsync(path, Cloud.Agent.FederatedToken);
        var target = Rig.Target();
        target = target with { SecretReferences = new Dictionary<string, Credentials.SecretReference>(), Settings = new Dictionary<string, string>(target.Settings) { ["workload_identity_token_file"] = path } };

        var (_, result) = await MintAsync(Rig.CreateProvider(), target, [Group], ["Reader"]);

        Assert.True(await Rig.WorksAsync(result.Credential, Group));
    }
}
