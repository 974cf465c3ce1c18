using System.Security.Cryptography;
using AgentAccessBroker.Actions;
using AgentAccessBroker.Credentials;
using Microsoft.Extensions.Options;

namespace AgentAccessBroker.SampleConnector.Connector;

/// <summary>
/// A fake outside system: a target is a directory (setting <c>directory</c>), a credential is a random token whose
/// SHA-256 is written to <c>&lt;lease&gt;.grant</c> there; revoking deletes the file, so it works from the plan alone.
/// </summary>
internal sealed class SampleCredentialProvider(IOptions<SampleConnectorOptions> options, SampleActionVocabulary vocabulary) : ICredentialProvider, ITargetHealthProbe
{
    public const string ConnectorName = "sample";

    private const string GrantFileKey = "grant_file";

    public string Name => ConnectorName;

    public IReadOnlyList<TargetSettingProblem> ValidateTarget(TargetSettings target) =>
        string.IsNullOrWhiteSpace(target.Get("directory")) ? [new TargetSettingProblem("directory", "Name the directory that holds the grants.")] : [];

    public void CheckRequest(MintRequest request)
    {
        if (request.Actions.FirstOrDefault(a => !vocabulary.MintableActions.Contains(a)) is { } action)
        {
            throw new CredentialRequestException("unsupported_action", $"The sample target grants {string.Join(" or ", vocabulary.MintableActions)}, not '{action}'.") { NothingCreated = true };
        }

        if (request.Resources.FirstOrDefault(r => !vocabulary.RecognisesResource(r)) is { } resource)
        {
            throw new CredentialRequestException("invalid_resource", $"'{resource}' is not notes/<name>.") { NothingCreated = true };
        }
    }

    public RevocationData Plan(MintRequest request)
    {
        CheckRequest(request);
        return RevocationData.Of((GrantFileKey, request.LeaseId + ".grant"));
    }

    public async Task<MintResult> MintAsync(MintRequest request, RevocationData plan, CancellationToken cancellationToken)
    {
        var token = Convert.ToHexString(RandomNumberGenerator.GetBytes(options.Value.TokenBytes));
        await File.WriteAllTextAsync(GrantPath(request.Target, plan), Hash(token), cancellationToken);
        var credential = new IssuedCredential(ConnectorName, new Dictionary<string, string> { ["SAMPLE_TOKEN"] = token }, new Dictionary<string, string>());
        return new MintResult(credential, plan, request.NotAfter, Revocability.Immediate, "deleting the grant file ends the token at once");
    }

    public Task RevokeAsync(RevocationRequest request, CancellationToken cancellationToken)
    {
        File.Delete(GrantPath(request.Target, request.Data));
        return Task.CompletedTask;
    }

    public Task<VerificationResult> VerifyAsync(RevocationRequest request, CancellationToken cancellationToken) =>
        Task.FromResult(File.Exists(GrantPath(request.Target, request.Data))
            ? new VerificationResult(false, "the grant file is still there")
            : new VerificationResult(true, "the grant file is gone"));

    public Task ProbeAsync(TargetSettings target, CancellationToken cancellationToken) =>
        Directory.Exists(target.Require("directory")) ? Task.CompletedTask : throw new DirectoryNotFoundException("The sample target's directory is missing.");

    /// <summary>True when <paramref name="token"/> is granted on <paramref name="target"/> (what the fake system checks at use).</summary>
    internal static bool Accepts(TargetSettings target, string token) =>
        Directory.EnumerateFiles(target.Require("directory"), "*.grant").Any(file => File.ReadAllText(file) == Hash(token));

    private static string GrantPath(TargetSettings target, RevocationData data) =>
        Path.Combine(target.Require("directory"), Path.GetFileName(data.Require(GrantFileKey)));

    private static string Hash(string token) => Convert.ToHexString(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(token)));
}
