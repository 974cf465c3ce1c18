using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Azure.Core.Pipeline;
using Azure.Identity;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace AgentAccessBroker.Connectors.Azure.Tests.Fakes;

/// <summary>
/// One tenant and subscription of Azure on a loopback HTTPS port: the Entra ID token endpoint, ARM role assignments,
/// PIM schedule requests, Graph application secrets, and ARM reads that evaluate the caller's role assignments. It
/// speaks the real JSON shapes, checks bearer tokens and audiences, enforces the broker's ABAC-limited roles, and
/// injects faults. HTTPS because Azure.Core refuses bearer tokens over http.
/// </summary>
internal sealed partial class FakeAzureCloud : IAsyncDisposable
{
    public const string TenantId = "6a0f2f5e-1f3c-4c7a-9d6e-2b1a5c3d4e5f";
    public const string SubscriptionId = "0b1c2d3e-4f50-4a6b-8c7d-9e0f1a2b3c4d";
    public const string ResourceGroup = "rg-agent-work";
    public const string OtherResourceGroup = "rg-other";

    public static readonly Guid Reader = Guid.Parse("acdd72a7-3385-48ef-bd42-f606fba81ae7");
    public static readonly Guid StorageBlobDataReader = Guid.Parse("2a2b9908-6ea1-4ae2-8e65-a410df84e7d1");
    public static readonly Guid Contributor = Guid.Parse("b24988ac-6180-42a0-ab88-20f7382dd24c");

    private const string ArmAudience = "https://management.azure.com";
    private const string GraphAudience = "https://graph.microsoft.com";

    private readonly Lock _gate = new();
    private readonly Dictionary<string, FakePrincipal> _principals = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, FakeAssignment> _assignments = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, FakePimRequest> _pimRequests = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<string, IssuedToken> _tokens = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<RecordedRequest> _requests = new();
    private readonly List<FakeFault> _faults = [];
    private readonly WebApplication _app;

    private FakeAzureCloud(WebApplication app)
    {
        _app = app;
        Broker = Register(new FakePrincipal
        {
            AppId = "11111111-2222-4333-8444-555555555555",
            ObjectId = "aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee",
            ApplicationObjectId = "aaaaaaaa-0000-4000-8000-000000000001",
            StandingSecret = "broker-secret-" + RandomText(24),
        });
        Agent = Register(new FakePrincipal
        {
            AppId = "22222222-3333-4444-8555-666666666666",
            ObjectId = "bbbbbbbb-cccc-4ddd-8eee-ffffffffffff",
            ApplicationObjectId = "bbbbbbbb-0000-4000-8000-000000000002",
            StandingSecret = "agent-secret-" + RandomText(24),
        });
    }

    public FakePrincipal Broker { get; }

    public FakePrincipal Agent { get; }

    public Uri BaseUri { get; private set; } = null!;

    /// <summary>Roles the broker's (simulated) ABAC condition lets it assign and delete.</summary>
    public HashSet<Guid> BrokerAssignableRoles { get; } = [Reader, StorageBlobDataReader];

    /// <summary>Role definitions that exist in the subscription.</summary>
    public HashSet<Guid> KnownRoles { get; } = [Reader, StorageBlobDataReader, Contributor];

    /// <summary>How many role-assignment and PIM PUTs answer PrincipalNotFound before the agent has "replicated".</summary>
    public int PrincipalNotFoundResponses { get; set; }

    /// <summary>How many reads of each new assignment answer 404 before it is "visible".</summary>
    public int VisibilityLag { get; set; }

    /// <summary>When set, PIM AdminAssign requests wait for approval instead of being provisioned.</summary>
    public bool PimRequiresApproval { get; set; }

    /// <summary>Assignments per page of a list response (ARM pages with nextLink).</summary>
    public int ListPageSize { get; set; } = 100;

    public Func<DateTimeOffset> Now { get; set; } = () => DateTimeOffset.UtcNow;

    /// <summary>An ARM and Graph outage: while true, every call but a sign-in gets HTTP 503 ServiceUnavailable.</summary>
    public bool Down { get; set; }

    public static string ResourceGroupScope(string resourceGroup = ResourceGroup) => $"/subscriptions/{SubscriptionId}/resourceGroups/{resourceGroup}";

    public static string StorageAccountScope(string account = "stagentwork") =>
        $"{ResourceGroupScope()}/providers/Microsoft.Storage/storageAccounts/{account}";

    public static async Task<FakeAzureCloud> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { EnvironmentName = "Test" });
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0, listen => listen.UseHttps(TestCertificates.LoopbackTls)));
        var app = builder.Build();
        var fake = new FakeAzureCloud(app);
        app.Run(fake.HandleAsync);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        fake.BaseUri = new Uri(address.EndsWith('/') ? address : address + "/");
        return fake;
    }

    /// <summary>A handler that trusts exactly the fake's certificate.</summary>
    public static HttpMessageHandler CreateHandler()
    {
        var expected = TestCertificates.LoopbackTls.GetCertHashString(HashAlgorithmName.SHA256);
        return new SocketsHttpHandler
        {
            SslOptions =
            {
                RemoteCertificateValidationCallback = (_, certificate, _, _) =>
                    certificate is not null && certificate.GetCertHashString(HashAlgorithmName.SHA256) == expected,
            },
        };
    }

    public static HttpPipelineTransport CreateTransport() => new HttpClientTransport(CreateHandler());

    /// <summary>The broker's own identity, signing in at the fake's token endpoint.</summary>
    public ClientSecretCredential BrokerCredential() => new(TenantId, Broker.AppId, Broker.StandingSecret, new ClientSecretCredentialOptions
    {
        AuthorityHost = BaseUri,
        DisableInstanceDiscovery = true,
        Transport = CreateTransport(),
    });

    public void AddFault(FakeFault fault)
    {
        lock (_gate)
        {
            _faults.Add(fault);
        }
    }

    public IReadOnlyList<RecordedRequest> Requests => [.. _requests];

    public IReadOnlyList<FakeAssignment> Assignments
    {
        get
        {
            lock (_gate)
            {
                return [.. _assignments.Values];
            }
        }
    }

    public IReadOnlyList<FakePimRequest> PimRequests
    {
        get
        {
            lock (_gate)
            {
                return [.. _pimRequests.Values];
            }
        }
    }

    /// <summary>Exceptions thrown inside the fake's handlers.</summary>
    public ConcurrentQueue<string> Failures { get; } = new();

    /// <summary>Every bearer token the fake issued, for leak checks.</summary>
    public IReadOnlyCollection<string> IssuedTokens => [.. _tokens.Keys];

    /// <summary>Adds an assignment that did not come from the broker (a standing grant set up by an administrator).</summary>
    public FakeAssignment AddStandingAssignment(string scope, Guid role, string principalId)
    {
        var assignment = NewAssignment(Guid.NewGuid().ToString("D"), scope, role, principalId, "standing", "administrator", hiddenReads: 0);
        lock (_gate)
        {
            _assignments[assignment.Name] = assignment;
        }

        return assignment;
    }

    /// <summary>Does this bearer token read <paramref name="scope"/> through ARM right now?</summary>
    public async Task<bool> CanReadAsync(string accessToken, string scope)
    {
        using var client = new HttpClient(CreateHandler());
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(BaseUri, scope.TrimStart('/') + "?api-version=2021-04-01"));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
        using var response = await client.SendAsync(request);
        return response.StatusCode switch
        {
            HttpStatusCode.OK => true,
            HttpStatusCode.Forbidden or HttpStatusCode.Unauthorized => false,
            var other => throw new InvalidOperationException($"Unexpected ARM read status {other}."),
        };
    }

    /// <summary>Signs in with client credentials at the token endpoint; null when Entra ID refuses.</summary>
    public async Task<string?> SignInAsync(string clientId, string clientSecret)
    {
        using var client = new HttpClient(CreateHandler());
        using var content = new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials",
            ["client_id"] = clientId,
            ["client_secret"] = clientSecret,
            ["scope"] = ArmAudience + "/.default",
        });
        using var response = await client.PostAsync(new Uri(BaseUri, $"{TenantId}/oauth2/v2.0/token"), content);
        if (!response.IsSuccessStatusCode)
        {
            return null;
        }

        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return json.RootElement.GetProperty("access_token").GetString();
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private FakeAssignment NewAssignment(string name, string scope, Guid roleId, string principalId, string? description, string createdBy, int hiddenReads) => new()
    {
        Name = name,
        Scope = scope,
        SubscriptionId = SubscriptionId,
        RoleId = roleId,
        PrincipalId = principalId,
        PrincipalType = "ServicePrincipal",
        Description = description,
        CreatedBy = createdBy,
        CreatedOn = Now(),
        HiddenReads = hiddenReads,
    };

    private FakePrincipal Register(FakePrincipal principal)
    {
        _principals[principal.AppId] = principal;
        return principal;
    }

    private async Task HandleAsync(HttpContext context)
    {
        string body;
        using (var reader = new StreamReader(context.Request.Body, Encoding.UTF8))
        {
            body = await reader.ReadToEndAsync();
        }

        var method = context.Request.Method;
        var path = Uri.UnescapeDataString(context.Request.Path.Value ?? "/");
        var query = context.Request.Query;

        FakeResponse? response = Down && !path.EndsWith("/oauth2/v2.0/token", StringComparison.Ordinal)
            ? FakeResponse.ArmError(503, "ServiceUnavailable", "The service is unavailable.")
            : null;
        FakeFault? lateFault = null;
        lock (_gate)
        {
            var fault = response is null ? _faults.FirstOrDefault(f => f.Matches(method, path)) : null;
            if (fault is not null)
            {
                fault.Times--;
                fault.Hits++;
                if (fault.AfterHandling)
                {
                    lateFault = fault;
                }
                else
                {
                    response = fault.Response();
                }
            }
        }

        try
        {
            response ??= Route(method, path, query, body, context.Request.Headers.Authorization.ToString());
        }
        catch (Exception ex)
        {
            // A bug in the fake must show up in the test, not as a 500 the client retries.
            Failures.Enqueue($"{method} {path}: {ex}");
            response = FakeResponse.ArmError(500, "FakeFailure", "The fake failed; see FakeAzureCloud.Failures.");
        }
        if (lateFault is not null)
        {
            response = lateFault.Response();
        }

        _requests.Enqueue(new RecordedRequest(method, path + context.Request.QueryString.Value, body, context.Request.Headers.Authorization.FirstOrDefault(), response.Status));
        context.Response.StatusCode = response.Status;
        foreach (var (name, value) in response.Headers ?? new Dictionary<string, string>())
        {
            context.Response.Headers[name] = value;
        }

        if (response.Json is not null)
        {
            context.Response.ContentType = "application/json; charset=utf-8";
            await context.Response.WriteAsync(response.Json.ToJsonString());
        }
    }

    private FakeResponse Route(string method, string path, IQueryCollection query, string body, string authorization)
    {
        if (method == "POST" && path.EndsWith("/oauth2/v2.0/token", StringComparison.Ordinal))
        {
            return IssueToken(path, body);
        }

        if (path.StartsWith("/v1.0/", StringComparison.Ordinal))
        {
            return Caller(authorization, GraphAudience) is { } graphCaller
                ? Graph(method, path, body, graphCaller)
                : Unauthenticated();
        }

        if (path.StartsWith("/subscriptions/", StringComparison.OrdinalIgnoreCase))
        {
            return Caller(authorization, ArmAudience) is { } armCaller
                ? Arm(method, path, query, body, armCaller)
                : Unauthenticated();
        }

        return FakeResponse.ArmError(404, "NotFound", $"No route for {path}.");
    }

    private static FakeResponse Unauthenticated() =>
        FakeResponse.ArmError(401, "InvalidAuthenticationToken", "The access token is missing or invalid.") with
        {
            Headers = new Dictionary<string, string> { ["WWW-Authenticate"] = "Bearer error=\"invalid_token\"" },
        };

    private FakePrincipal? Caller(string authorization, string audience)
    {
        if (!authorization.StartsWith("Bearer ", StringComparison.Ordinal)
            || !_tokens.TryGetValue(authorization["Bearer ".Length..], out var token)
            || token.Audience != audience
            || token.ExpiresOn <= Now())
        {
            return null;
        }

        lock (_gate)
        {
            return _principals.Values.Single(p => p.ObjectId == token.ObjectId);
        }
    }

    private static string RandomText(int length)
    {
        const string Alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
        return RandomNumberGenerator.GetString(Alphabet, length);
    }

    private sealed record IssuedToken(string ObjectId, string Audience, DateTimeOffset ExpiresOn);
}
