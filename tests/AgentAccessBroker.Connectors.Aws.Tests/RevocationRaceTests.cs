using AgentAccessBroker.Connectors.Aws.Tests.Fakes;
using AgentAccessBroker.Connectors.Aws.Tests.Support;
using AgentAccessBroker.Credentials;
using AgentAccessBroker.Policy;

namespace AgentAccessBroker.Connectors.Aws.Tests;

/// <summary>
/// Findings of the independent STS/IAM check: refused requests that left deny entries, a late PutRolePolicy that undid a
/// later revocation, expiry checked after IAM, a documented setting no policy file could hold, and mint failures with
/// no reason.
/// </summary>
public sealed class RevocationRaceTests : FakeAwsTests
{
    [Theory]
    [InlineData("oversized")]
    [InlineData("invalid_action")]
    [InlineData("invalid_resource")]
    [InlineData("packed")]
    public async Task Mint_RefusedRequest_SaysNothingWasCreated(string refusal)
    {
        var provider = Bed.CreateProvider();
        var resources = refusal switch
        {
            "oversized" => Enumerable.Range(0, 80).Select(i => $"arn:aws:s3:::reports/2026/customer-{i:D4}.csv").ToArray(),
            "invalid_resource" => ["reports/2026"],
            _ => null,
        };
        var actions = refusal == "invalid_action" ? new[] { "s3 GetObject" } : null;
        if (refusal == "packed")
        {
            Bed.Fake.PackedPolicyLimit = 120;
        }

        var request = Bed.Request(Bed.Target(Role), resources: resources, actions: actions);

        var error = await Assert.ThrowsAsync<CredentialRequestException>(() => provider.MintAsync(request, provider.Plan(request), CancellationToken.None));

        Assert.True(error.NothingCreated, error.Code);
        Assert.Null(Bed.Fake.PolicyOf(Role.Name));
    }

    [Fact]
    public async Task Mint_StsNeverAnswers_CodedUnavailableAndOutcomeUnknown()
    {
        Bed.Fake.Inject("AssumeRole", FakeFault.Hang, times: 2);
        var provider = Bed.CreateProvider(o =>
        {
            o.MaxRetryAttempts = 1;
            o.AttemptTimeout = TimeSpan.FromMilliseconds(200);
        });
        var request = Bed.Request(Bed.Target(Role));

        var error = await Assert.ThrowsAsync<CredentialMintException>(() => provider.MintAsync(request, provider.Plan(request), CancellationToken.None));

        Assert.Equal("aws_unavailable", error.Code);
        Assert.False(error.NothingCreated);
        Assert.Contains("STS AssumeRole returned timeout", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Revoke_CredentialsExpiredAndIamFailing_SucceedsWithoutCallingIam()
    {
        var provider = Bed.CreateProvider();
        var (request, result) = await Bed.MintAsync(provider, Bed.Target(Role));
        Bed.Clock.Advance(TimeSpan.FromHours(1));
        Bed.Fake.Inject("GetRolePolicy", FakeFault.ServerError, times: 20);
        Bed.Fake.Inject("PutRolePolicy", FakeFault.ServerError, times: 20);

        await provider.RevokeAsync(Bed.Revocation(request, result.RevocationData), CancellationToken.None);
        var verification = await provider.VerifyAsync(Bed.Revocation(request, result.RevocationData), CancellationToken.None);

        Assert.True(verification.Revoked, verification.Evidence);
        Assert.Equal(0, Bed.Fake.Count("GetRolePolicy"));
        Assert.Equal(0, Bed.Fake.Count("PutRolePolicy"));
    }

    [Fact]
    public async Task Revoke_UnansweredWriteLandsAfterALaterRevocation_LaterSessionDeniedAgainAfterTheWindow()
    {
        var provider = Bed.CreateProvider(o => o.AttemptTimeout = TimeSpan.FromSeconds(2));
        var target = Bed.Target(Role);
        var (firstRequest, first) = await Bed.MintAsync(provider, target, TimeSpan.FromHours(1));
        var (secondRequest, second) = await Bed.MintAsync(provider, target, TimeSpan.FromHours(1));
        var firstId = first.RevocationData.Values["assumed_role_id"];
        var secondId = second.RevocationData.Values["assumed_role_id"];
        Bed.Fake.Inject("PutRolePolicy", FakeFault.LandLate);

        // The first write times out at the client (IAM keeps it); the retry lists the first session.
        await provider.RevokeAsync(Bed.Revocation(firstRequest, first.RevocationData), CancellationToken.None);
        await provider.RevokeAsync(Bed.Revocation(secondRequest, second.RevocationData), CancellationToken.None);
        var before = DenyPolicyEntries.UserIds(Bed.Fake.PolicyOf(Role.Name));
        Assert.Contains(firstId, before);
        Assert.Contains(secondId, before);

        // The held write reaches IAM now and replaces the document: the second session is no longer denied.
        Bed.Fake.LandHeldWrites();
        Assert.DoesNotContain(secondId, DenyPolicyEntries.UserIds(Bed.Fake.PolicyOf(Role.Name)));

        // Past the window. The re-check's timer is armed on another thread, and on a slow host a later write may also
        // go unanswered and push the window out: keep moving the clock a window at a time until the re-check is done
        // (at most five windows, well inside the credentials' hour).
        var window = Bed.Options().LateWriteWindow;
        var settled = provider.LateWritesSettledAsync();
        for (var step = 0; step < 5 && !settled.IsCompleted; step++)
        {
            Bed.Clock.Advance(window + TimeSpan.FromSeconds(30));
            try
            {
                await settled.WaitAsync(TimeSpan.FromSeconds(2));
            }
            catch (TimeoutException)
            {
            }
        }

        await settled.WaitAsync(TimeSpan.FromSeconds(30));

        var listed = DenyPolicyEntries.UserIds(Bed.Fake.PolicyOf(Role.Name));
        Assert.Contains(firstId, listed);
        Assert.Contains(secondId, listed);
        Assert.False(await Bed.CanAsync(second.Credential));
        Assert.Contains(Bed.Logs.Entries, e => e.EventId == 4011);
    }

    [Fact]
    public void PolicyFile_DocumentedAwsSettings_LoadAndReachTheConnector()
    {
        var provider = Bed.CreateProvider();
        const string Yaml = """
            version: 1
            agents: [{ id: agent-a, owner: alice }]
            approver_groups: [{ name: ops, members: [{ id: bob }] }]
            targets:
              - name: aws-billing
                connector: aws
                approvers: ops
                settings:
                  role_arn: arn:aws:iam::123456789012:role/aab-billing-broker
                  region: eu-west-1
                  max_session_duration: 4h
                  external_id: billing-broker-7
                  broker_uses_role_credentials: true
                  deny_policy_max_chars: 4096
                resources: [{ name: "arn:aws:s3:::billing-exports/*", sensitivity: low, environment: dev }]
            """;
        var path = Path.Combine(Path.GetTempPath(), $"aab-aws-policy-{Guid.NewGuid():N}.yaml");
        File.WriteAllText(path, Yaml);
        try
        {
            var loaded = PolicyLoader.LoadFile(path, PolicyLoader.ValidatorFor(new CredentialProviderRegistry([provider])));

            Assert.Empty(loaded.Problems);
            var target = AwsTarget.Parse(loaded.Policy!.FindTarget("aws-billing")!.Settings);
            Assert.Equal(RoleChaining.Yes, target.BrokerUsesRoleCredentials);
            Assert.Equal(TimeSpan.FromHours(4), target.MaxSessionDuration);
            Assert.Equal("billing-broker-7", target.ExternalId);
            Assert.Equal(4096, target.DenyPolicyMaxChars);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void PolicyFile_CredentialNamedSettingWithAnInlineValue_StillRefused()
    {
        var provider = Bed.CreateProvider();
        const string Yaml = """
            version: 1
            agents: [{ id: agent-a, owner: alice }]
            approver_groups: [{ name: ops, members: [{ id: bob }] }]
            targets:
              - name: aws-billing
                connector: aws
                approvers: ops
                settings:
                  role_arn: arn:aws:iam::123456789012:role/aab-billing-broker
                  broker_uses_role_credentials: AKIAEXAMPLEEXAMPLE12
                resources: [{ name: "arn:aws:s3:::billing-exports/*", sensitivity: low, environment: dev }]
            """;

        var loaded = PolicyLoader.Load(Yaml, "inline.yaml", PolicyLoader.ValidatorFor(new CredentialProviderRegistry([provider])));

        var problem = Assert.Single(loaded.Problems);
        Assert.Contains("looks secret", problem.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("AKIAEXAMPLE", problem.Message, StringComparison.Ordinal);
    }
}
