using System.Text.Json;
using AgentAccessBroker.Connectors.Aws.Tests.Fakes;
using AgentAccessBroker.Connectors.Aws.Tests.Support;
using AgentAccessBroker.Credentials;

namespace AgentAccessBroker.Connectors.Aws.Tests;

public sealed class SecretLeakTests : IAsyncLifetime
{
    private AwsTestBed _bed = null!;

    public async Task InitializeAsync() => _bed = await AwsTestBed.StartAsync();

    public async Task DisposeAsync() => await _bed.DisposeAsync();

    [Fact]
    public async Task Lifecycle_WithRetriesFailuresAndFallback_NoSecretInLogsExceptionsDataOrEvidence()
    {
        var role = _bed.Fake.AddRole("reports-reader");
        var observer = new RecordingObserver();
        var provider = _bed.CreateProvider(observers: [observer]);
        var target = _bed.Target(role, ("deny_policy_max_chars", "1024"));
        var texts = new List<string>();

        _bed.Fake.Inject("AssumeRole", FakeFault.Throttle);
        var minted = new List<(MintRequest Request, MintResult Result)>();
        for (var i = 0; i < 30 && observer.Fallbacks.Count == 0; i++)
        {
            var (request, result) = await _bed.MintAsync(provider, target);
            minted.Add((request, result));
            texts.Add(result.ToString());
            texts.Add(result.RevocationNote);
            texts.Add(JsonSerializer.Serialize(result.RevocationData.Values));
            _bed.Fake.Inject("PutRolePolicy", FakeFault.ServerError);
            await provider.RevokeAsync(_bed.Revocation(request, result.RevocationData), CancellationToken.None);
            texts.Add((await provider.VerifyAsync(_bed.Revocation(request, result.RevocationData), CancellationToken.None)).Evidence);
        }

        _bed.Fake.Inject("GetRolePolicy", FakeFault.Throttle, times: 10);
        var failure = await Assert.ThrowsAsync<AwsCallException>(() => provider.RevokeAsync(_bed.Revocation(minted[0].Request, minted[0].Result.RevocationData), CancellationToken.None));
        texts.Add(failure.ToString());
        texts.AddRange(observer.Fallbacks.Select(f => f.ToString()));

        var secrets = _bed.Fake.AllSecrets;
        Assert.NotEmpty(observer.Fallbacks);
        Assert.True(secrets.Count > 10);
        Assert.NotEmpty(_bed.Logs.Entries);
        Assert.All(minted, m => Assert.Contains(m.Result.Credential.EnvironmentVariables["AWS_SECRET_ACCESS_KEY"], secrets));
        Assert.DoesNotContain(secrets, s => _bed.Logs.AllText.Contains(s, StringComparison.Ordinal));
        Assert.DoesNotContain(secrets, s => texts.Any(t => t.Contains(s, StringComparison.Ordinal)));
    }
}
