using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.RegularExpressions;
using AgentAccessBroker.Credentials;

namespace AgentAccessBroker.Connectors.Aws;

/// <summary>
/// The inline session policy passed to AssumeRole: one Allow statement over exactly the granted actions and resources.
/// A session's permissions are the intersection of the role's policies and this document, so the credential can never
/// do more than was granted, nor more than the role allows.
/// </summary>
internal static partial class SessionPolicy
{
    /// <summary>STS: "The plaintext that you use for both inline and managed session policies can't exceed 2,048 characters."</summary>
    public const int MaxPlaintextChars = 2048;

    internal static readonly JsonSerializerOptions Json = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>
    /// Builds the document or throws <see cref="CredentialRequestException"/> saying how to narrow the request, marked
    /// <see cref="CredentialRequestException.NothingCreated"/>: the check runs before any AWS call.
    /// </summary>
    public static string Build(IReadOnlyList<string> actions, IReadOnlyList<string> resources)
    {
        var distinctActions = actions.Distinct(StringComparer.Ordinal).ToArray();
        var distinctResources = resources.Distinct(StringComparer.Ordinal).ToArray();
        if (distinctActions.Length == 0 || distinctResources.Length == 0)
        {
            throw new CredentialRequestException("session_policy_empty", "An AWS grant needs at least one action (e.g. s3:GetObject) and one resource ARN.") { NothingCreated = true };
        }

        var badActions = distinctActions.Where(a => !ActionPattern().IsMatch(a)).ToArray();
        if (badActions.Length > 0)
        {
            throw new CredentialRequestException(
                "invalid_action",
                $"These are not IAM actions of the form service:Action (e.g. s3:GetObject): {string.Join(", ", badActions.Select(Quote))}.") { NothingCreated = true };
        }

        var badResources = distinctResources.Where(r => r != "*" && !r.StartsWith("arn:", StringComparison.Ordinal)).ToArray();
        if (badResources.Length > 0)
        {
            throw new CredentialRequestException(
                "invalid_resource",
                $"AWS resources must be ARNs (e.g. arn:aws:s3:::bucket/prefix/*): {string.Join(", ", badResources.Select(Quote))}.") { NothingCreated = true };
        }

        var document = JsonSerializer.Serialize(
            new
            {
                Version = "2012-10-17",
                Statement = new[] { new { Effect = "Allow", Action = distinctActions, Resource = distinctResources } },
            },
            Json);

        if (document.Any(c => c is not ('\t' or '\n' or '\r') && (c < ' ' || c > '\u00FF')))
        {
            throw new CredentialRequestException(
                "invalid_resource",
                "A requested action or resource contains characters an AWS session policy cannot carry (only Latin-1 is allowed). Ask for a resource pattern without them.") { NothingCreated = true };
        }

        if (document.Length > MaxPlaintextChars)
        {
            throw TooLarge(
                $"The session policy for {distinctActions.Length} action(s) x {distinctResources.Length} resource(s) would be {document.Length.ToString("N0", CultureInfo.InvariantCulture)} characters; AWS allows {MaxPlaintextChars.ToString("N0", CultureInfo.InvariantCulture)}.");
        }

        return document;
    }

    /// <summary>Checked before any AWS call, or refused by STS (PackedPolicyTooLarge): either way no session exists.</summary>
    public static CredentialRequestException TooLarge(string what, Exception? inner = null)
    {
        var message = what + " Narrow the request: ask for fewer actions or resources, use one resource pattern the policy allows "
            + "(e.g. arn:aws:s3:::bucket/prefix/*) instead of listing objects, or split the work into several smaller requests.";
        return inner is null
            ? new CredentialRequestException("session_policy_too_large", message) { NothingCreated = true }
            : new CredentialRequestException("session_policy_too_large", message, inner) { NothingCreated = true };
    }

    private static string Quote(string value) => "'" + (value.Length <= 80 ? value : value[..80] + "...") + "'";

    [GeneratedRegex(@"^(?:\*|[A-Za-z0-9-]{1,64}:[A-Za-z0-9*?]{1,128})$", RegexOptions.CultureInvariant)]
    private static partial Regex ActionPattern();
}
