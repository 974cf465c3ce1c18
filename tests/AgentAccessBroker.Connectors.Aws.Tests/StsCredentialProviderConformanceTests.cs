using AgentAccessBroker.Connectors.Aws.Tests.Fakes;
using AgentAccessBroker.Connectors.Aws.Tests.Support;
using AgentAccessBroker.Credentials;
using AgentAccessBroker.Testing;

namespace AgentAccessBroker.Connectors.Aws.Tests;

/// <summary>The shared provider suite against the fake STS/IAM, where "the credential works" is IAM evaluation of a signed request.</summary>
public sealed class StsCredentialProviderConformanceTests : CredentialProviderConformance, IAsyncLifetime
{
    private AwsTestBed _bed = null!;
    private FakeRole _role = null!;

    protected override TargetSettings Target => _bed.Target(_role);

    protected override IReadOnlyList<string> Resources => ["arn:aws:s3:::aab-conformance/reports/*"];

    protected override IReadOnlyList<string> Actions => ["s3:GetObject"];

    protected override TimeProvider Clock => _bed.Clock;

    public async Task InitializeAsync()
    {
        _bed = await AwsTestBed.StartAsync();
        _role = _bed.Fake.AddRole("conformance-reader");
    }

    public async Task DisposeAsync() => await _bed.DisposeAsync();

    protected override ICredentialProvider CreateProvider() => _bed.CreateProvider();

    protected override Task<bool> CredentialWorksAsync(IssuedCredential credential, CancellationToken cancellationToken) =>
        _bed.CanAsync(credential, "s3:GetObject", "arn:aws:s3:::aab-conformance/reports/q3.csv");
}
