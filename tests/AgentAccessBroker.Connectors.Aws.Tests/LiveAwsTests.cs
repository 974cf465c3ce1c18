using AgentAccessBroker.Credentials;
using Amazon;
using Amazon.Runtime;
using Amazon.SecurityToken;
using Amazon.SecurityToken.Model;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace AgentAccessBroker.Connectors.Aws.Tests;

/// <summary>
/// Against real AWS, only with <c>AAB_LIVE=1</c> and <c>AAB_AWS_ROLE_ARN</c> (a target role set up as in infra/aws) and
/// broker credentials in the standard SDK chain. Optional: <c>AAB_AWS_REGION</c>, <c>AAB_AWS_MAX_SESSION_DURATION</c>.
/// The revoked session stays listed in the role's aab-revoked-sessions policy until its hour bucket is pruned.
/// </summary>
public sealed class LiveAwsTests(ITestOutputHelper output)
{
    [SkippableFact]
    public async Task MintRevokeVerify_RealAws_SessionWorksThenIsListedInDenyPolicy()
    {
        var roleArn = Environment.GetEnvironmentVariable("AAB_AWS_ROLE_ARN");
        // Reported as skipped, never as passed, when the live environment is not configured.
        Skip.If(Environment.GetEnvironmentVariable("AAB_LIVE") != "1" || string.IsNullOrEmpty(roleArn), "set AAB_LIVE=1 and AAB_AWS_ROLE_ARN (plus AWS credentials for the broker) to run against real AWS");

        var region = Environment.GetEnvironmentVariable("AAB_AWS_REGION") ?? "us-east-1";
        var settings = new Dictionary<string, string>(StringComparer.Ordinal) { ["role_arn"] = roleArn, ["region"] = region };
        if (Environment.GetEnvironmentVariable("AAB_AWS_MAX_SESSION_DURATION") is { Length: > 0 } max)
        {
            settings["max_session_duration"] = max;
        }

        var target = new TargetSettings("live-aws", "aws", settings, new Dictionary<string, SecretReference>());
        await using var services = new ServiceCollection().AddAwsConnector().BuildServiceProvider();
        var provider = services.GetRequiredService<ICredentialProvider>();
        Assert.Empty(provider.ValidateTarget(target));
        var now = DateTimeOffset.UtcNow;
        var request = new MintRequest(Domain.Ids.New("lease"), Domain.Ids.New("task"), "aab-live-test", target, ["*"], ["sts:GetCallerIdentity"], now, now.AddMinutes(15));
        var plan = provider.Plan(request);

        var result = await provider.MintAsync(request, plan, CancellationToken.None);
        output.WriteLine($"minted {plan.Values["session_name"]}, expires {result.ExpiresAt:O}");

        var env = result.Credential.EnvironmentVariables;
        using var sts = new AmazonSecurityTokenServiceClient(
            new SessionAWSCredentials(env["AWS_ACCESS_KEY_ID"], env["AWS_SECRET_ACCESS_KEY"], env["AWS_SESSION_TOKEN"]), RegionEndpoint.GetBySystemName(region));
        var identity = await sts.GetCallerIdentityAsync(new GetCallerIdentityRequest());
        Assert.Equal(result.RevocationData.Values["assumed_role_id"], identity.UserId);

        var revocation = new RevocationRequest(request.LeaseId, target, result.RevocationData, result.ExpiresAt, DateTimeOffset.UtcNow);
        Assert.False((await provider.VerifyAsync(revocation, CancellationToken.None)).Revoked);
        await provider.RevokeAsync(revocation, CancellationToken.None);
        await provider.RevokeAsync(revocation, CancellationToken.None);
        var verification = await provider.VerifyAsync(revocation, CancellationToken.None);

        output.WriteLine(verification.Evidence);
        Assert.True(verification.Revoked, verification.Evidence);
    }
}
