using System.Net;
using System.Text;
using System.Xml.Linq;
using AgentAccessBroker.Connectors.Aws.Signing;
using Amazon.Runtime;

namespace AgentAccessBroker.Connectors.Aws.Iam;

/// <summary>
/// The three IAM actions revocation needs, over IAM's Query API (form-encoded POST, <c>Version=2010-05-08</c>, SigV4
/// service <c>iam</c>). Stands in for AWSSDK.IdentityManagement, which the package mirror lacks. One attempt per call:
/// retries belong to the caller's resilience pipeline.
/// </summary>
internal sealed class IamQueryClient(HttpClient http, TimeProvider time)
{
    public const string ApiVersion = "2010-05-08";
    private static readonly XNamespace Ns = "https://iam.amazonaws.com/doc/2010-05-08/";

    /// <summary>Adds or replaces an inline policy on a role.</summary>
    public async Task PutRolePolicyAsync(
        IamEndpoint endpoint, ImmutableCredentials credentials, string roleName, string policyName, string policyDocument, CancellationToken cancellationToken)
    {
        await SendAsync(
            endpoint,
            credentials,
            "PutRolePolicy",
            [("RoleName", roleName), ("PolicyName", policyName), ("PolicyDocument", policyDocument)],
            cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Reads an inline policy, decoded. Returns null when the policy (or the role) does not exist.</summary>
    public async Task<string?> GetRolePolicyAsync(
        IamEndpoint endpoint, ImmutableCredentials credentials, string roleName, string policyName, CancellationToken cancellationToken)
    {
        XDocument response;
        try
        {
            response = await SendAsync(endpoint, credentials, "GetRolePolicy", [("RoleName", roleName), ("PolicyName", policyName)], cancellationToken)
                .ConfigureAwait(false);
        }
        catch (IamException e) when (e.Error == IamErrorCode.NoSuchEntity)
        {
            return null;
        }

        var encoded = response.Descendants(Ns + "PolicyDocument").FirstOrDefault()?.Value
            ?? throw new InvalidDataException("IAM GetRolePolicy answered without a PolicyDocument.");

        // IAM returns the document URL-encoded (RFC 3986).
        return Uri.UnescapeDataString(encoded);
    }

    /// <summary>Deletes an inline policy. Returns false when it did not exist.</summary>
    public async Task<bool> DeleteRolePolicyAsync(
        IamEndpoint endpoint, ImmutableCredentials credentials, string roleName, string policyName, CancellationToken cancellationToken)
    {
        try
        {
            await SendAsync(endpoint, credentials, "DeleteRolePolicy", [("RoleName", roleName), ("PolicyName", policyName)], cancellationToken)
                .ConfigureAwait(false);
            return true;
        }
        catch (IamException e) when (e.Error == IamErrorCode.NoSuchEntity)
        {
            return false;
        }
    }

    internal static string FormBody(string action, IEnumerable<(string Name, string Value)> parameters) =>
        string.Join(
            '&',
            new[] { ("Action", action), ("Version", ApiVersion) }.Concat(parameters)
                .Select(p => Uri.EscapeDataString(p.Item1) + "=" + Uri.EscapeDataString(p.Item2)));

    private async Task<XDocument> SendAsync(
        IamEndpoint endpoint, ImmutableCredentials credentials, string action, (string Name, string Value)[] parameters, CancellationToken cancellationToken)
    {
        var body = Encoding.UTF8.GetBytes(FormBody(action, parameters));
        using var request = new HttpRequestMessage(HttpMethod.Post, endpoint.Url);
        request.Content = new ByteArrayContent(body);
        request.Content.Headers.TryAddWithoutValidation("Content-Type", SigV4Signer.FormContentType);
        SigV4Signer.Sign(request, body, credentials, endpoint.SigningRegion, "iam", time.GetUtcNow());

        using var response = await http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        if (response.IsSuccessStatusCode)
        {
            return Parse(text, action, response.StatusCode);
        }

        throw ToException(action, response.StatusCode, text);
    }

    private static XDocument Parse(string text, string action, HttpStatusCode status)
    {
        try
        {
            return XDocument.Parse(text);
        }
        catch (System.Xml.XmlException)
        {
            throw new IamException(action, IamErrorCode.ServiceFailure, "UnreadableResponse", status, "IAM answered with a body that is not XML.", null);
        }
    }

    internal static IamException ToException(string action, HttpStatusCode status, string text)
    {
        string code = "Unknown", message = "IAM answered with an error and no readable error body.";
        string? requestId = null;
        try
        {
            var xml = XDocument.Parse(text);
            var error = xml.Descendants().FirstOrDefault(e => e.Name.LocalName == "Error");
            code = error?.Elements().FirstOrDefault(e => e.Name.LocalName == "Code")?.Value ?? code;
            message = error?.Elements().FirstOrDefault(e => e.Name.LocalName == "Message")?.Value ?? message;
            requestId = xml.Descendants().FirstOrDefault(e => e.Name.LocalName == "RequestId")?.Value;
        }
        catch (System.Xml.XmlException)
        {
            // Load balancers answer 5xx with HTML; keep the status, it is what decides retrying.
        }

        var error1 = code switch
        {
            "NoSuchEntity" => IamErrorCode.NoSuchEntity,
            "LimitExceeded" => IamErrorCode.LimitExceeded,
            "MalformedPolicyDocument" => IamErrorCode.MalformedPolicyDocument,
            "UnmodifiableEntity" => IamErrorCode.UnmodifiableEntity,
            "InvalidInput" or "ValidationError" => IamErrorCode.InvalidInput,
            "AccessDenied" or "AccessDeniedException" => IamErrorCode.AccessDenied,
            "InvalidClientTokenId" => IamErrorCode.InvalidClientTokenId,
            "SignatureDoesNotMatch" => IamErrorCode.SignatureDoesNotMatch,
            "ExpiredToken" or "ExpiredTokenException" => IamErrorCode.ExpiredToken,
            "ServiceFailure" or "InternalFailure" or "ServiceUnavailable" => IamErrorCode.ServiceFailure,
            _ when AwsErrors.IsThrottlingCode(code) => IamErrorCode.Throttling,
            _ => IamErrorCode.Other,
        };
        return new IamException(action, error1, code, status, message.Length <= 500 ? message : message[..500], requestId);
    }
}
