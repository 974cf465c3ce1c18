using System.Collections.Concurrent;
using AgentAccessBroker.Connectors.Azure.Tests.Fakes;
using AgentAccessBroker.Credentials;
using Microsoft.Extensions.Options;

namespace AgentAccessBroker.Connectors.Azure.Tests.Support;

/// <summary>A fake Azure plus everything needed to build providers against it.</summary>
internal sealed class AzureRig : IAsyncDisposable
{
    public const string AgentSecretVariable = "AAB_TEST_AZURE_AGENT_SECRET";

    private AzureRig(FakeAzureCloud cloud) => Cloud = cloud;

    public FakeAzureCloud Cloud { get; }

    public RecordingTimeProvider Time { get; } = new();

    public ConcurrentQueue<string> LogLines { get; } = new();

    public static async Task<AzureRig> StartAsync() => new(await FakeAzureCloud.StartAsync());

    public TargetSettings Target(string mode = "assignment", Action<Dictionary<string, string>>? change = null)
    {
        var settings = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["tenant_id"] = FakeAzureCloud.TenantId,
            ["subscription_id"] = FakeAzureCloud.SubscriptionId,
            ["client_id"] = Cloud.Agent.AppId,
            ["principal_object_id"] = Cloud.Agent.ObjectId,
            ["allowed_roles"] = "Reader, Storage Blob Data Reader",
            ["role_ids"] = $"Reader={FakeAzureCloud.Reader},Storage Blob Data Reader={FakeAzureCloud.StorageBlobDataReader},Contributor={FakeAzureCloud.Contributor}",
            ["mode"] = mode,
            ["arm_endpoint"] = Cloud.BaseUri.AbsoluteUri,
            ["login_endpoint"] = Cloud.BaseUri.AbsoluteUri,
            ["graph_endpoint"] = Cloud.BaseUri.AbsoluteUri,
        };
        var secrets = new Dictionary<string, SecretReference>(StringComparer.Ordinal);
        if (mode == "client_secret")
        {
            settings["application_object_id"] = Cloud.Agent.ApplicationObjectId;
        }
        else
        {
            secrets["client_secret"] = new SecretReference(SecretSource.Environment, AgentSecretVariable);
        }

        change?.Invoke(settings);
        return new TargetSettings("azure-dev", "azure", settings, secrets);
    }

    public ICredentialProvider CreateProvider(Action<AzureConnectorOptions>? configure = null)
    {
        var options = new AzureConnectorOptions
        {
            BrokerCredential = Cloud.BrokerCredential(),
            Transport = FakeAzureCloud.CreateTransport(),
            MaxRetries = 4,
            RetryDelay = TimeSpan.FromSeconds(1),
            MaxRetryDelay = TimeSpan.FromSeconds(30),
            VisibilityChecks = 5,
        };
        configure?.Invoke(options);
        return new RoleAssignmentCredentialProvider(
            Options.Create(options),
            new DictionarySecretResolver(new Dictionary<string, string> { [AgentSecretVariable] = Cloud.Agent.StandingSecret! }),
            Time,
            new CapturingLogger<RoleAssignmentCredentialProvider>(LogLines));
    }

    public static MintRequest Request(TargetSettings target, IReadOnlyList<string> resources, IReadOnlyList<string> actions, string? leaseId = null)
    {
        var now = DateTimeOffset.UtcNow;
        return new MintRequest(leaseId ?? Domain.Ids.New("lease"), Domain.Ids.New("task"), "agent-7", target, resources, actions, now, now.AddMinutes(30));
    }

    public static RevocationRequest Revocation(MintRequest request, RevocationData data) =>
        new(request.LeaseId, request.Target, data, request.NotAfter, DateTimeOffset.UtcNow);

    /// <summary>True when the credential reads the scope through the fake ARM right now.</summary>
    public async Task<bool> WorksAsync(IssuedCredential credential, string scope)
    {
        if (credential.EnvironmentVariables.TryGetValue("AZURE_ACCESS_TOKEN", out var token))
        {
            return await Cloud.CanReadAsync(token, scope);
        }

        var signedIn = await Cloud.SignInAsync(credential.EnvironmentVariables["AZURE_CLIENT_ID"], credential.EnvironmentVariables["AZURE_CLIENT_SECRET"]);
        return signedIn is not null && await Cloud.CanReadAsync(signedIn, scope);
    }

    public ValueTask DisposeAsync() => Cloud.DisposeAsync();
}
