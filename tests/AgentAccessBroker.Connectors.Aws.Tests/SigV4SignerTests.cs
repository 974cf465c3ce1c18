using System.Globalization;
using AgentAccessBroker.Connectors.Aws.Signing;
using AgentAccessBroker.Connectors.Aws.Tests.Fakes;
using Amazon.Runtime;

namespace AgentAccessBroker.Connectors.Aws.Tests;

public sealed class SigV4SignerTests
{
    // AWS's published SigV4 example for IAM: GET https://iam.amazonaws.com/?Action=ListUsers&Version=2010-05-08,
    // signed at 20150830T123600Z with AKIDEXAMPLE / wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY.
    private const string ExpectedSignature = "5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7";
    private const string SecretKey = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
    private static readonly DateTime SignedAt = new(2015, 8, 30, 12, 36, 0, DateTimeKind.Utc);

    [Fact]
    public void Authorization_AwsPublishedIamExample_MatchesDocumentedSignature()
    {
        var headers = new SortedDictionary<string, string>(StringComparer.Ordinal)
        {
            ["content-type"] = "application/x-www-form-urlencoded; charset=utf-8",
            ["host"] = "iam.amazonaws.com",
            ["x-amz-date"] = "20150830T123600Z",
        };

        var authorization = SigV4Signer.Authorization(
            "GET", new Uri("https://iam.amazonaws.com/?Action=ListUsers&Version=2010-05-08"), headers, [], new ImmutableCredentials("AKIDEXAMPLE", SecretKey, null), "us-east-1", "iam", SignedAt);

        Assert.Equal(
            $"AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/iam/aws4_request, SignedHeaders=content-type;host;x-amz-date, Signature={ExpectedSignature}",
            authorization);
    }

    [Fact]
    public void FakeVerifier_AwsPublishedIamExample_MatchesDocumentedSignature()
    {
        // The fake checks signatures with its own HMAC code; pin it to the same published vector.
        var signature = SigV4Verifier.Signature(
            "GET",
            "/",
            "Action=ListUsers&Version=2010-05-08",
            [("content-type", "application/x-www-form-urlencoded; charset=utf-8"), ("host", "iam.amazonaws.com"), ("x-amz-date", "20150830T123600Z")],
            [],
            "20150830T123600Z",
            new SigV4Verifier.Scope("AKIDEXAMPLE", "20150830", "us-east-1", "iam"),
            SecretKey);

        Assert.Equal(ExpectedSignature, signature);
    }

    [Fact]
    public void Sign_PostWithSessionToken_AddsHeadersTheVerifierAccepts()
    {
        var body = "Action=GetRolePolicy&Version=2010-05-08&RoleName=r&PolicyName=p"u8.ToArray();
        using var request = new HttpRequestMessage(HttpMethod.Post, "https://iam.amazonaws.com/") { Content = new ByteArrayContent(body) };
        request.Content.Headers.TryAddWithoutValidation("Content-Type", SigV4Signer.FormContentType);
        var credentials = new ImmutableCredentials("ASIAEXAMPLE", SecretKey, "session-token-value");

        SigV4Signer.Sign(request, body, credentials, "us-east-1", "iam", new DateTimeOffset(SignedAt));

        var parsed = SigV4Verifier.Parse(request.Headers.GetValues("Authorization").Single());
        Assert.NotNull(parsed);
        Assert.Equal(["content-type", "host", "x-amz-date", "x-amz-security-token"], parsed.SignedHeaders);
        Assert.Equal("session-token-value", request.Headers.GetValues("X-Amz-Security-Token").Single());
        var expected = SigV4Verifier.Signature(
            "POST",
            "/",
            string.Empty,
            [("content-type", SigV4Signer.FormContentType), ("host", "iam.amazonaws.com"), ("x-amz-date", SignedAt.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture)), ("x-amz-security-token", "session-token-value")],
            body,
            "20150830T123600Z",
            parsed.Scope,
            SecretKey);
        Assert.Equal(expected, parsed.Signature);
    }
}
