using AgentAccessBroker.Connectors.Aws.Revocation;
using AgentAccessBroker.Connectors.Aws.Tests.Support;
using AgentAccessBroker.Credentials;
using AgentAccessBroker.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace AgentAccessBroker.Connectors.Aws.Tests;

public sealed class RegistrationTests
{
    [Fact]
    public void AddAwsConnector_Defaults_RegistersProviderNamedAws()
    {
        using var services = new ServiceCollection().AddAwsConnector().BuildServiceProvider();

        var registry = new CredentialProviderRegistry(services.GetServices<ICredentialProvider>());

        Assert.Equal("aws", Assert.Single(registry.Names));
        Assert.IsType<StsCredentialProvider>(registry.Get("aws"));
    }

    [Fact]
    public void AddAwsConnector_InvalidOptions_ThrowsListingEveryProblem()
    {
        var error = Assert.Throws<ArgumentException>(() => new ServiceCollection().AddAwsConnector(o =>
        {
            o.MaxRetryAttempts = -1;
            o.RetryBaseDelay = TimeSpan.Zero;
            o.AttemptTimeout = TimeSpan.FromHours(1);
        }));

        Assert.Contains(nameof(AwsConnectorOptions.MaxRetryAttempts), error.Message, StringComparison.Ordinal);
        Assert.Contains(nameof(AwsConnectorOptions.RetryBaseDelay), error.Message, StringComparison.Ordinal);
        Assert.Contains(nameof(AwsConnectorOptions.AttemptTimeout), error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AddAwsConnector_WithResourceLockObserverAndClock_UsesThem()
    {
        await using var bed = await AwsTestBed.StartAsync();
        var role = bed.Fake.AddRole("reports-reader");
        var clusterLock = new InMemoryResourceLock();
        var observer = new RecordingObserver();
        await using var services = new ServiceCollection()
            .AddSingleton<TimeProvider>(bed.Clock)
            .AddSingleton<IResourceLock>(clusterLock)
            .AddSingleton<IRevocationObserver>(observer)
            .AddAwsConnector(o =>
            {
                o.BrokerCredentials = bed.Fake.BrokerCredentials;
                o.RetryBaseDelay = TimeSpan.FromMilliseconds(1);
            })
            .BuildServiceProvider();
        var provider = services.GetRequiredService<ICredentialProvider>();
        var target = bed.Target(role, ("deny_policy_max_chars", "1024"));

        for (var i = 0; i < 30 && observer.Fallbacks.Count == 0; i++)
        {
            var request = bed.Request(target);
            var result = await provider.MintAsync(request, provider.Plan(request), CancellationToken.None);
            await provider.RevokeAsync(bed.Revocation(request, result.RevocationData), CancellationToken.None);
        }

        Assert.Equal(bed.Clock.GetUtcNow(), Assert.Single(observer.Fallbacks).At);
        Assert.True(clusterLock.AcquiredCount(RoleGate.LockKey(role.Arn)) > 1);
    }
}
