using System.Net;
using AgentAccessBroker.Connectors.Aws.Iam;
using AgentAccessBroker.Connectors.Aws.Tests.Support;
using Amazon.Runtime;

namespace AgentAccessBroker.Connectors.Aws.Tests;

public sealed class IamQueryClientTests : IAsyncLifetime
{
    private const string Document = """{"Version":"2012-10-17","Statement":[{"Sid":"A1","Effect":"Deny","Action":"*","Resource":"*","Condition":{"StringLike":{"aws:userid":["AROAX:a+b=c,d.e@f-g","*:x/y %z"]}}}]}""";
    private AwsTestBed _bed = null!;
    private HttpClient _http = null!;
    private IamQueryClient _iam = null!;
    private IamEndpoint _endpoint = null!;
    private ImmutableCredentials _keys = null!;

    public async Task InitializeAsync()
    {
        _bed = await AwsTestBed.StartAsync();
        _bed.Fake.AddRole("reader");
        _http = new HttpClient();
        _iam = new IamQueryClient(_http, _bed.Clock);
        _endpoint = new IamEndpoint(_bed.Fake.Url, "us-east-1");
        _keys = await _bed.Fake.BrokerCredentials.GetCredentialsAsync();
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _bed.DisposeAsync();
    }

    [Fact]
    public async Task PutRolePolicy_ThenGet_ReturnsTheDocumentDecoded()
    {
        await _iam.PutRolePolicyAsync(_endpoint, _keys, "reader", "p1", Document, CancellationToken.None);

        var read = await _iam.GetRolePolicyAsync(_endpoint, _keys, "reader", "p1", CancellationToken.None);

        Assert.Equal(Document, read);
        Assert.Equal(Document, _bed.Fake.PolicyOf("reader", "p1"));
    }

    [Fact]
    public async Task GetRolePolicy_Missing_ReturnsNull()
    {
        Assert.Null(await _iam.GetRolePolicyAsync(_endpoint, _keys, "reader", "absent", CancellationToken.None));
    }

    [Fact]
    public async Task DeleteRolePolicy_ExistingThenMissing_TrueThenFalse()
    {
        await _iam.PutRolePolicyAsync(_endpoint, _keys, "reader", "p1", Document, CancellationToken.None);

        Assert.True(await _iam.DeleteRolePolicyAsync(_endpoint, _keys, "reader", "p1", CancellationToken.None));
        Assert.False(await _iam.DeleteRolePolicyAsync(_endpoint, _keys, "reader", "p1", CancellationToken.None));
        Assert.Null(_bed.Fake.PolicyOf("reader", "p1"));
    }

    [Fact]
    public async Task PutRolePolicy_UnknownRole_ThrowsNoSuchEntity()
    {
        var error = await Assert.ThrowsAsync<IamException>(() => _iam.PutRolePolicyAsync(_endpoint, _keys, "ghost", "p1", Document, CancellationToken.None));

        Assert.Equal(IamErrorCode.NoSuchEntity, error.Error);
        Assert.Equal(HttpStatusCode.NotFound, error.Status);
        Assert.NotNull(error.RequestId);
        Assert.False(error.IsTransient);
    }

    [Fact]
    public async Task PutRolePolicy_MalformedDocument_ThrowsMalformedPolicyDocument()
    {
        var error = await Assert.ThrowsAsync<IamException>(() => _iam.PutRolePolicyAsync(_endpoint, _keys, "reader", "p1", """{"Statement":[{"Sid":"not-alnum","Effect":"Deny","Action":"*","Resource":"*"}]}""", CancellationToken.None));

        Assert.Equal(IamErrorCode.MalformedPolicyDocument, error.Error);
        Assert.Contains("alpha-numeric", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PutRolePolicy_OverAggregateInlineLimit_ThrowsLimitExceeded()
    {
        var big = """{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"*","Resource":"*","Condition":{"StringLike":{"aws:userid":[""" +
            string.Join(',', Enumerable.Range(0, 400).Select(i => $"\"AROAEXAMPLE:aab-lease_{i:D16}\"")) + "]}}}]}";

        var error = await Assert.ThrowsAsync<IamException>(() => _iam.PutRolePolicyAsync(_endpoint, _keys, "reader", "p1", big, CancellationToken.None));

        Assert.Equal(IamErrorCode.LimitExceeded, error.Error);
        Assert.Equal(HttpStatusCode.Conflict, error.Status);
        Assert.False(error.IsTransient);
    }

    [Fact]
    public async Task GetRolePolicy_WrongSecret_ThrowsSignatureDoesNotMatch()
    {
        var wrong = new ImmutableCredentials(_keys.AccessKey, "not-the-secret-key-000000000000000000000", null);

        var error = await Assert.ThrowsAsync<IamException>(() => _iam.GetRolePolicyAsync(_endpoint, wrong, "reader", "p1", CancellationToken.None));

        Assert.Equal(IamErrorCode.SignatureDoesNotMatch, error.Error);
        Assert.False(error.IsTransient);
    }

    [Fact]
    public async Task GetRolePolicy_UnknownAccessKey_ThrowsInvalidClientTokenId()
    {
        var unknown = new ImmutableCredentials("AKIAUNKNOWNUNKNOWN00", "secret", null);

        var error = await Assert.ThrowsAsync<IamException>(() => _iam.GetRolePolicyAsync(_endpoint, unknown, "reader", "p1", CancellationToken.None));

        Assert.Equal(IamErrorCode.InvalidClientTokenId, error.Error);
    }

    [Fact]
    public async Task GetRolePolicy_Throttled_ThrowsTransientThrottling()
    {
        _bed.Fake.Inject("GetRolePolicy", Fakes.FakeFault.Throttle);

        var error = await Assert.ThrowsAsync<IamException>(() => _iam.GetRolePolicyAsync(_endpoint, _keys, "reader", "p1", CancellationToken.None));

        Assert.Equal(IamErrorCode.Throttling, error.Error);
        Assert.True(error.IsTransient);
    }

    [Fact]
    public async Task GetRolePolicy_HtmlServiceUnavailable_ThrowsTransient()
    {
        _bed.Fake.Inject("GetRolePolicy", Fakes.FakeFault.UnavailableHtml);

        var error = await Assert.ThrowsAsync<IamException>(() => _iam.GetRolePolicyAsync(_endpoint, _keys, "reader", "p1", CancellationToken.None));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, error.Status);
        Assert.True(error.IsTransient);
    }

    [Fact]
    public void FormBody_Parameters_AreRfc3986EncodedAfterActionAndVersion()
    {
        var body = IamQueryClient.FormBody("PutRolePolicy", [("RoleName", "r"), ("PolicyDocument", """{"a":"b c+/"}""")]);

        Assert.Equal("Action=PutRolePolicy&Version=2010-05-08&RoleName=r&PolicyDocument=%7B%22a%22%3A%22b%20c%2B%2F%22%7D", body);
    }
}
