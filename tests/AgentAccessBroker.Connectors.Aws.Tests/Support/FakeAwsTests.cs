using AgentAccessBroker.Connectors.Aws.Tests.Fakes;

namespace AgentAccessBroker.Connectors.Aws.Tests.Support;

/// <summary>Base of test classes that run against a fresh fake AWS with one target role, per test.</summary>
public abstract class FakeAwsTests : IAsyncLifetime
{
    internal AwsTestBed Bed { get; private set; } = null!;

    internal FakeRole Role { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Bed = await AwsTestBed.StartAsync();
        Role = Bed.Fake.AddRole("reports-reader");
    }

    public async Task DisposeAsync() => await Bed.DisposeAsync();
}
