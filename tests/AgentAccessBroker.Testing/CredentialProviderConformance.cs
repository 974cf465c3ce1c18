using System.Text.Json;
using Xunit;
using AgentAccessBroker.Credentials;

namespace AgentAccessBroker.Testing;

/// <summary>
/// The suite every credential provider passes: mint → the credential works → revoke → it fails → a second revoke is a
/// no-op → revoke works from the persisted revocation data alone, in a provider instance that never saw the mint.
/// Derive one class per connector and implement the abstract members against a real engine or a wire-level fake.
/// </summary>
public abstract class CredentialProviderConformance
{
    /// <summary>A new provider instance each call, sharing nothing in memory with earlier ones.</summary>
    protected abstract ICredentialProvider CreateProvider();

    protected abstract TargetSettings Target { get; }

    protected abstract IReadOnlyList<string> Resources { get; }

    protected abstract IReadOnlyList<string> Actions { get; }

    /// <summary>How long the conformance leases last.</summary>
    protected virtual TimeSpan LeaseDuration => TimeSpan.FromMinutes(15);

    protected virtual TimeProvider Clock => TimeProvider.System;

    /// <summary>
    /// Null (the default) when revoking from the plan alone undoes a crashed mint. For a system that revokes a credential
    /// only when shown the value its mint returned (a GitHub installation token), how long after the request such a
    /// credential can live: revoke from the plan must then still succeed, and verify must not claim the access gone
    /// before that time has passed, and must once it has.
    /// </summary>
    protected virtual TimeSpan? PlanOnlyExposure => null;

    /// <summary>Uses the credential against the system it is for; true when access works.</summary>
    protected abstract Task<bool> CredentialWorksAsync(IssuedCredential credential, CancellationToken cancellationToken);

    protected MintRequest NewMintRequest()
    {
        var now = Clock.GetUtcNow();
        return new MintRequest(
            LeaseId: Domain.Ids.New("lease"),
            TaskId: Domain.Ids.New("task"),
            AgentId: "conformance-agent",
            Target: Target,
            Resources: Resources,
            Actions: Actions,
            Now: now,
            NotAfter: now + LeaseDuration);
    }

    protected async Task<(MintRequest Request, MintResult Result)> MintAsync(ICredentialProvider provider)
    {
        var request = NewMintRequest();
        var plan = provider.Plan(request);
        var result = await provider.MintAsync(request, plan, CancellationToken.None);
        return (request, result);
    }

    protected RevocationRequest RevocationFor(MintRequest request, RevocationData data) =>
        new(request.LeaseId, Target, data, request.NotAfter, Clock.GetUtcNow());

    /// <summary>Round-trips revocation data through JSON, as the store does.</summary>
    protected static RevocationData Persisted(RevocationData data)
    {
        var json = JsonSerializer.Serialize(data.Values);
        return new RevocationData(JsonSerializer.Deserialize<Dictionary<string, string>>(json)!);
    }

    [Fact]
    public async Task Mint_NewLease_CredentialWorks()
    {
        var provider = CreateProvider();
        var (request, result) = await MintAsync(provider);

        Assert.True(await CredentialWorksAsync(result.Credential, CancellationToken.None));
        Assert.True(result.ExpiresAt > request.Now);
        Assert.False(string.IsNullOrWhiteSpace(result.RevocationNote));
        Assert.DoesNotContain(result.Credential.SecretValues(), secret => result.Credential.ToString().Contains(secret, StringComparison.Ordinal));
        Assert.DoesNotContain(result.Credential.SecretValues(), secret => JsonSerializer.Serialize(result.RevocationData.Values).Contains(secret, StringComparison.Ordinal));

        await provider.RevokeAsync(RevocationFor(request, result.RevocationData), CancellationToken.None);
    }

    [Fact]
    public async Task Verify_BeforeRevoke_ReportsNotRevoked()
    {
        var provider = CreateProvider();
        var (request, result) = await MintAsync(provider);

        var verification = await provider.VerifyAsync(RevocationFor(request, result.RevocationData), CancellationToken.None);

        Assert.False(verification.Revoked);
        await provider.RevokeAsync(RevocationFor(request, result.RevocationData), CancellationToken.None);
    }

    [Fact]
    public async Task Revoke_MintedLease_CredentialFailsAndVerifyConfirms()
    {
        var provider = CreateProvider();
        var (request, result) = await MintAsync(provider);

        await provider.RevokeAsync(RevocationFor(request, result.RevocationData), CancellationToken.None);

        Assert.False(await CredentialWorksAsync(result.Credential, CancellationToken.None));
        var verification = await provider.VerifyAsync(RevocationFor(request, result.RevocationData), CancellationToken.None);
        Assert.True(verification.Revoked, verification.Evidence);
    }

    [Fact]
    public async Task Revoke_Twice_SecondIsNoOp()
    {
        var provider = CreateProvider();
        var (request, result) = await MintAsync(provider);
        var revocation = RevocationFor(request, result.RevocationData);

        await provider.RevokeAsync(revocation, CancellationToken.None);
        await provider.RevokeAsync(revocation, CancellationToken.None);

        Assert.True((await provider.VerifyAsync(revocation, CancellationToken.None)).Revoked);
        Assert.False(await CredentialWorksAsync(result.Credential, CancellationToken.None));
    }

    [Fact]
    public async Task Revoke_FromPersistedDataInFreshProvider_Works()
    {
        var (request, result) = await MintAsync(CreateProvider());
        var persisted = Persisted(result.RevocationData);

        var fresh = CreateProvider();
        await fresh.RevokeAsync(RevocationFor(request, persisted), CancellationToken.None);

        Assert.False(await CredentialWorksAsync(result.Credential, CancellationToken.None));
        Assert.True((await CreateProvider().VerifyAsync(RevocationFor(request, persisted), CancellationToken.None)).Revoked);
    }

    [Fact]
    public async Task Revoke_FromPlanOnly_UndoesCrashedMint()
    {
        // A crash after the outside call but before the final revocation data was saved leaves only the plan.
        var provider = CreateProvider();
        var request = NewMintRequest();
        var plan = provider.Plan(request);
        var result = await provider.MintAsync(request, plan, CancellationToken.None);

        await CreateProvider().RevokeAsync(RevocationFor(request, Persisted(plan)), CancellationToken.None);

        if (PlanOnlyExposure is { } exposure)
        {
            Assert.False((await CreateProvider().VerifyAsync(RevocationFor(request, Persisted(plan)), CancellationToken.None)).Revoked);
            var later = new RevocationRequest(request.LeaseId, Target, Persisted(plan), request.NotAfter, request.Now + exposure);
            Assert.True((await CreateProvider().VerifyAsync(later, CancellationToken.None)).Revoked);
            await provider.RevokeAsync(RevocationFor(request, result.RevocationData), CancellationToken.None);
            return;
        }

        Assert.False(await CredentialWorksAsync(result.Credential, CancellationToken.None));
    }

    [Fact]
    public async Task Revoke_PlanNeverMinted_Succeeds()
    {
        // A crash before the outside call: revoking what was never created must succeed.
        var provider = CreateProvider();
        var request = NewMintRequest();
        var plan = provider.Plan(request);

        await provider.RevokeAsync(RevocationFor(request, Persisted(plan)), CancellationToken.None);

        var verifyAt = RevocationFor(request, Persisted(plan));
        if (PlanOnlyExposure is { } exposure)
        {
            // The provider cannot tell a mint that never ran from one whose result was lost, so it waits out the exposure.
            Assert.False((await provider.VerifyAsync(verifyAt, CancellationToken.None)).Revoked);
            verifyAt = verifyAt with { Now = request.Now + exposure };
        }

        Assert.True((await provider.VerifyAsync(verifyAt, CancellationToken.None)).Revoked);
    }
}
