using System.Net;
using System.Net.Http.Headers;
using AgentAccessBroker.Connectors.Azure.Tests.Support;
using AgentAccessBroker.Credentials;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Xunit.Abstractions;

namespace AgentAccessBroker.Connectors.Azure.Tests;

/// <summary>
/// Against real Azure, only with AAB_LIVE=1. The broker signs in with DefaultAzureCredential (AZURE_* variables, az
/// login...) and must hold the infra/azure assignment. Variables: AAB_AZURE_TENANT_ID, AAB_AZURE_SUBSCRIPTION_ID,
/// AAB_AZURE_SCOPE (a resource group id), AAB_AZURE_AGENT_CLIENT_ID, AAB_AZURE_AGENT_OBJECT_ID,
/// AAB_AZURE_AGENT_CLIENT_SECRET, optional AAB_AZURE_ROLE (default Reader).
/// </summary>
public sealed class LiveAzureTests(ITestOutputHelper output)
{
    private static readonly string[] Required =
    [
        "AAB_AZURE_TENANT_ID", "AAB_AZURE_SUBSCRIPTION_ID", "AAB_AZURE_SCOPE",
        "AAB_AZURE_AGENT_CLIENT_ID", "AAB_AZURE_AGENT_OBJECT_ID", "AAB_AZURE_AGENT_CLIENT_SECRET",
    ];

    [SkippableFact]
    public async Task Live_MintReadRevokeVerify_AgainstRealAzure()
    {
        // Reported as skipped, never as passed, when the live environment is not configured.
        Skip.If(Environment.GetEnvironmentVariable("AAB_LIVE") != "1" || Required.Any(v => string.IsNullOrEmpty(Environment.GetEnvironmentVariable(v))), $"set AAB_LIVE=1 and {string.Join(", ", Required)} to run against real Azure.");

        var scope = Env("AAB_AZURE_SCOPE");
        var role = Environment.GetEnvironmentVariable("AAB_AZURE_ROLE") ?? "Reader";
        var target = new TargetSettings(
            "azure-live",
            "azure",
            new Dictionary<string, string>
            {
                ["tenant_id"] = Env("AAB_AZURE_TENANT_ID"),
                ["subscription_id"] = Env("AAB_AZURE_SUBSCRIPTION_ID"),
                ["client_id"] = Env("AAB_AZURE_AGENT_CLIENT_ID"),
                ["principal_object_id"] = Env("AAB_AZURE_AGENT_OBJECT_ID"),
                ["allowed_roles"] = role,
                ["role_ids"] = "Reader=acdd72a7-3385-48ef-bd42-f606fba81ae7,Storage Blob Data Reader=2a2b9908-6ea1-4ae2-8e65-a410df84e7d1",
            },
            new Dictionary<string, SecretReference> { ["client_secret"] = new(SecretSource.Environment, "AAB_AZURE_AGENT_CLIENT_SECRET") });
        var provider = new RoleAssignmentCredentialProvider(
            Options.Create(new AzureConnectorOptions()),
            new DictionarySecretResolver(new Dictionary<string, string> { ["AAB_AZURE_AGENT_CLIENT_SECRET"] = Env("AAB_AZURE_AGENT_CLIENT_SECRET") }),
            TimeProvider.System,
            NullLogger<RoleAssignmentCredentialProvider>.Instance);
        var request = AzureRig.Request(target, [scope], [role]);
        var plan = provider.Plan(request);

        var result = await provider.MintAsync(request, plan, CancellationToken.None);
        var revocation = AzureRig.Revocation(request, result.RevocationData);
        try
        {
            Assert.False((await provider.VerifyAsync(revocation, CancellationToken.None)).Revoked);
            // ARM's own authorization cache may lag the assignment: poll with a deadline (a real external system).
            Assert.True(await ReadsWithinAsync(result.Credential.EnvironmentVariables["AZURE_ACCESS_TOKEN"], scope, TimeSpan.FromMinutes(5)));
            output.WriteLine($"minted; token expires {result.ExpiresAt:O}");
        }
        finally
        {
            await provider.RevokeAsync(revocation, CancellationToken.None);
        }

        await provider.RevokeAsync(revocation, CancellationToken.None);
        var verification = await provider.VerifyAsync(revocation, CancellationToken.None);
        Assert.True(verification.Revoked, verification.Evidence);
        output.WriteLine(verification.Evidence);
    }

    private static string Env(string name) => Environment.GetEnvironmentVariable(name)!;

    private static async Task<bool> ReadsWithinAsync(string token, string scope, TimeSpan limit)
    {
        using var client = new HttpClient();
        var deadline = DateTimeOffset.UtcNow + limit;
        while (true)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, $"https://management.azure.com{scope}?api-version=2021-04-01");
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            using var response = await client.SendAsync(request);
            if (response.StatusCode == HttpStatusCode.OK)
            {
                return true;
            }

            if (DateTimeOffset.UtcNow > deadline)
            {
                return false;
            }

            await Task.Delay(TimeSpan.FromSeconds(10));
        }
    }
}
