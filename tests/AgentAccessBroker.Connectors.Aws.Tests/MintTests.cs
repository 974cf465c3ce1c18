using System.Text.Json;
using AgentAccessBroker.Connectors.Aws.Tests.Fakes;
using AgentAccessBroker.Connectors.Aws.Tests.Support;
using AgentAccessBroker.Credentials;
using Amazon.Runtime;
using Amazon.SecurityToken;
using Amazon.SecurityToken.Model;

namespace AgentAccessBroker.Connectors.Aws.Tests;

public sealed class MintTests : FakeAwsTests
{
    [Fact]
    public async Task Mint_Grant_SendsExactSessionPolicyNamesTagsAndDuration()
    {
        var provider = Bed.CreateProvider();
        var request = Bed.Request(Bed.Target(Role), TimeSpan.FromMinutes(20), ["s3:GetObject", "s3:ListBucket"], ["arn:aws:s3:::reports", "arn:aws:s3:::reports/2026/*"], agentId: "claude code@dev box");
        var plan = provider.Plan(request);

        await provider.MintAsync(request, plan, CancellationToken.None);

        var call = Assert.Single(Bed.Fake.AssumeRoleCalls);
        Assert.Equal(Role.Arn, call.RoleArn);
        Assert.Equal("aab-" + request.LeaseId, call.RoleSessionName);
        Assert.Equal(plan.Values["session_name"], call.RoleSessionName);
        Assert.Equal(1200, call.DurationSeconds);
        Assert.Equal(SessionPolicy.Build(request.Actions, request.Resources), call.Policy);
        Assert.Equal(SessionNaming.SourceIdentity("claude code@dev box"), call.SourceIdentity);
        Assert.Equal(request.LeaseId, call.Tags["aab-lease"]);
        Assert.Equal(request.TaskId, call.Tags["aab-task"]);
        Assert.Equal("claude code@dev box", call.Tags["aab-agent"]);
        Assert.Equal(["aab-lease", "aab-task", "aab-agent"], call.TransitiveTagKeys);
        Assert.Null(call.ExternalId);
    }

    [Fact]
    public async Task Mint_ShortLease_ClampedTo900AndNoteSaysCredentialOutlivesLease()
    {
        var provider = Bed.CreateProvider();
        var request = Bed.Request(Bed.Target(Role), TimeSpan.FromMinutes(5));

        var result = await provider.MintAsync(request, provider.Plan(request), CancellationToken.None);

        Assert.Equal(900, Assert.Single(Bed.Fake.AssumeRoleCalls).DurationSeconds);
        Assert.Equal(request.Now.AddSeconds(900), result.ExpiresAt);
        Assert.Equal(Revocability.DenyPolicy, result.Revocability);
        Assert.Contains("expire at 2026-11-21T09:15:00Z", result.RevocationNote, StringComparison.Ordinal);
        Assert.Contains("after your lease ends", result.RevocationNote, StringComparison.Ordinal);
        Assert.Contains("deny policy on role reports-reader", result.RevocationNote, StringComparison.Ordinal);
        Assert.Contains("few minutes", result.RevocationNote, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Mint_LeaseLongerThanRoleMax_ClampedToRoleMax()
    {
        var provider = Bed.CreateProvider();
        var request = Bed.Request(Bed.Target(Role), TimeSpan.FromHours(3));

        var result = await provider.MintAsync(request, provider.Plan(request), CancellationToken.None);

        Assert.Equal(3600, Assert.Single(Bed.Fake.AssumeRoleCalls).DurationSeconds);
        Assert.Contains("before your lease ends", result.RevocationNote, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(true, "true", 3600, 1)]
    [InlineData(true, "auto", 3600, 2)]
    [InlineData(false, "false", 14400, 1)]
    public async Task Mint_FourHourLeaseOnTwelveHourRole_DurationFollowsRoleChaining(bool brokerIsRole, string setting, int expectedSeconds, int expectedCalls)
    {
        // "auto" with long-term keys guesses "no chaining"; STS then refuses and the mint retries capped at 3,600 s.
        var role = Bed.Fake.AddRole("long-sessions", TimeSpan.FromHours(12));
        Bed.Fake.BrokerIsRole = brokerIsRole;
        var provider = Bed.CreateProvider();
        var request = Bed.Request(Bed.Target(role, ("broker_uses_role_credentials", setting)), TimeSpan.FromHours(4));

        var result = await provider.MintAsync(request, provider.Plan(request), CancellationToken.None);

        Assert.Equal(expectedSeconds, Assert.Single(Bed.Fake.AssumeRoleCalls).DurationSeconds);
        Assert.Equal(expectedCalls, Bed.Fake.Count("AssumeRole"));
        Assert.Equal(request.Now.AddSeconds(expectedSeconds), result.ExpiresAt);
        Assert.Equal(expectedCalls == 2, Bed.Logs.Entries.Any(e => e.EventId == 4002));
    }

    [Fact]
    public async Task Mint_ExternalIdSetting_IsPassedAndAcceptedByTrustPolicy()
    {
        var role = Bed.Fake.AddRole("third-party", requiredExternalId: "aab-tenant-42");
        var provider = Bed.CreateProvider();
        var request = Bed.Request(Bed.Target(role, ("external_id", "aab-tenant-42")));

        var result = await provider.MintAsync(request, provider.Plan(request), CancellationToken.None);

        Assert.Equal("aab-tenant-42", Assert.Single(Bed.Fake.AssumeRoleCalls).ExternalId);
        Assert.True(await Bed.CanAsync(result.Credential));
    }

    [Fact]
    public async Task Mint_TrustPolicyRefuses_ThrowsCodedExceptionWithHintWithoutRetrying()
    {
        var role = Bed.Fake.AddRole("third-party", requiredExternalId: "expected");
        var provider = Bed.CreateProvider();
        var request = Bed.Request(Bed.Target(role, ("external_id", "wrong-id")));

        var error = await Assert.ThrowsAsync<CredentialMintException>(() => provider.MintAsync(request, provider.Plan(request), CancellationToken.None));

        Assert.Equal(1, Bed.Fake.Count("AssumeRole"));
        Assert.Equal("aws_access_denied", error.Code);
        Assert.True(error.NothingCreated);
        Assert.Contains("AccessDenied (HTTP 403)", error.Message, StringComparison.Ordinal);
        Assert.Contains("sts:TagSession", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Mint_SessionPolicyOverLimit_ThrowsBeforeCallingAws()
    {
        var provider = Bed.CreateProvider();
        var resources = Enumerable.Range(0, 80).Select(i => $"arn:aws:s3:::reports/2026/customer-{i:D4}.csv").ToArray();
        var request = Bed.Request(Bed.Target(Role), resources: resources);

        var error = await Assert.ThrowsAsync<CredentialRequestException>(() => provider.MintAsync(request, provider.Plan(request), CancellationToken.None));

        Assert.Equal("session_policy_too_large", error.Code);
        Assert.Equal(0, Bed.Fake.Count("AssumeRole"));
    }

    [Fact]
    public async Task Mint_PackedPolicyTooLarge_ThrowsSessionPolicyTooLarge()
    {
        Bed.Fake.PackedPolicyLimit = 120;
        var provider = Bed.CreateProvider();
        var request = Bed.Request(Bed.Target(Role));

        var error = await Assert.ThrowsAsync<CredentialRequestException>(() => provider.MintAsync(request, provider.Plan(request), CancellationToken.None));

        Assert.Equal("session_policy_too_large", error.Code);
        Assert.Contains("PackedPolicyTooLarge", error.Message, StringComparison.Ordinal);
        Assert.Contains("Narrow the request", error.Message, StringComparison.Ordinal);
        Assert.Equal(1, Bed.Fake.Count("AssumeRole"));
    }

    [Fact]
    public async Task Mint_StalePlan_RefusesBeforeCallingAws()
    {
        var provider = Bed.CreateProvider();
        var request = Bed.Request(Bed.Target(Role));
        var plan = provider.Plan(request);
        Bed.Clock.Advance(TimeSpan.FromMinutes(11));

        var error = await Assert.ThrowsAsync<CredentialMintException>(() => provider.MintAsync(request, plan, CancellationToken.None));
        Assert.Equal("plan_expired", error.Code);
        Assert.True(error.NothingCreated);
        Assert.Equal(0, Bed.Fake.Count("AssumeRole"));
    }

    [Fact]
    public async Task Mint_Credential_AllowsOnlyTheGrantedActionsOnTheGrantedResources()
    {
        var provider = Bed.CreateProvider();
        var (_, result) = await Bed.MintAsync(provider, Bed.Target(Role));

        Assert.True(await Bed.CanAsync(result.Credential, "s3:GetObject", "arn:aws:s3:::reports/2026/q3.csv"));
        Assert.False(await Bed.CanAsync(result.Credential, "s3:PutObject", "arn:aws:s3:::reports/2026/q3.csv"));
        Assert.False(await Bed.CanAsync(result.Credential, "s3:GetObject", "arn:aws:s3:::payroll/2026/q3.csv"));
    }

    [Fact]
    public async Task Mint_EnvironmentVariables_AreAcceptedByTheAwsSdkAsTheyAre()
    {
        var provider = Bed.CreateProvider();
        var (request, result) = await Bed.MintAsync(provider, Bed.Target(Role));
        var env = result.Credential.EnvironmentVariables;

        using var sts = new AmazonSecurityTokenServiceClient(
            new SessionAWSCredentials(env["AWS_ACCESS_KEY_ID"], env["AWS_SECRET_ACCESS_KEY"], env["AWS_SESSION_TOKEN"]),
            new AmazonSecurityTokenServiceConfig { ServiceURL = Bed.Fake.Url.ToString(), AuthenticationRegion = env["AWS_REGION"], MaxErrorRetry = 0 });
        var identity = await sts.GetCallerIdentityAsync(new GetCallerIdentityRequest());

        Assert.Equal($"arn:aws:sts::{FakeAws.AccountId}:assumed-role/{Role.Name}/aab-{request.LeaseId}", identity.Arn);
        Assert.Equal(result.RevocationData.Values["assumed_role_id"], identity.UserId);
        Assert.Equal("us-east-1", env["AWS_DEFAULT_REGION"]);
        Assert.Equal("aws-sts-session", result.Credential.Kind);
    }

    [Fact]
    public async Task Mint_CredentialProcessForm_IsReadByTheSdkProcessCredentialsAsIs()
    {
        // The SDK rejects process credentials that expired by the real clock, so this bed runs on real time.
        await using var bed = await AwsTestBed.StartAsync(DateTimeOffset.UtcNow);
        var role = bed.Fake.AddRole("reports-reader");
        var (_, result) = await bed.MintAsync(bed.CreateProvider(), bed.Target(role));
        var env = result.Credential.EnvironmentVariables;
        var json = result.Credential.Forms["credential_process"];
        var path = Path.Combine(Path.GetTempPath(), $"aab-credential-process-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(path, json);
        try
        {
            // What `credential_process = cat <file>` in ~/.aws/config does, through the SDK's own reader.
            var keys = await new ProcessAWSCredentials($"cat {path}").GetCredentialsAsync();

            Assert.Equal(env["AWS_ACCESS_KEY_ID"], keys.AccessKey);
            Assert.Equal(env["AWS_SECRET_ACCESS_KEY"], keys.SecretKey);
            Assert.Equal(env["AWS_SESSION_TOKEN"], keys.Token);
            using var parsed = JsonDocument.Parse(json);
            Assert.Equal(1, parsed.RootElement.GetProperty("Version").GetInt32());
            Assert.Equal(result.ExpiresAt, DateTimeOffset.Parse(parsed.RootElement.GetProperty("Expiration").GetString()!, System.Globalization.CultureInfo.InvariantCulture));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task Mint_RevocationData_HoldsWhatRevokeNeedsAndNoSecret()
    {
        var provider = Bed.CreateProvider();
        var (request, result) = await Bed.MintAsync(provider, Bed.Target(Role));
        var data = result.RevocationData.Values;

        Assert.Equal(Role.Arn, data["role_arn"]);
        Assert.Equal(Role.Name, data["role_name"]);
        Assert.Equal($"{Role.RoleId}:aab-{request.LeaseId}", data["assumed_role_id"]);
        Assert.Equal("2026-11-21T09:15:00Z", data["credential_expires_at"]);
        Assert.Equal("2026-11-21T09:00:00Z", data["issued_at"]);
        Assert.Equal("2026-11-21T09:15:00Z", data["lease_not_after"]);
        var serialized = JsonSerializer.Serialize(data);
        Assert.DoesNotContain(Bed.Fake.AllSecrets, s => serialized.Contains(s, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Mint_CredentialToString_RedactsEverySecret()
    {
        var provider = Bed.CreateProvider();
        var (_, result) = await Bed.MintAsync(provider, Bed.Target(Role));

        var text = result.ToString();

        Assert.DoesNotContain(Bed.Fake.AllSecrets, s => text.Contains(s, StringComparison.Ordinal));
    }
}
