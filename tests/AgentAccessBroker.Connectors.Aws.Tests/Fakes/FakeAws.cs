using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Xml.Linq;
using Amazon.Runtime;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace AgentAccessBroker.Connectors.Aws.Tests.Fakes;

/// <summary>
/// STS and IAM over their Query/XML wire format on 127.0.0.1 (a free port): AssumeRole, GetCallerIdentity,
/// PutRolePolicy, GetRolePolicy, DeleteRolePolicy, plus a test-only <c>Authorize</c> action that applies IAM evaluation
/// (deny policies, role permissions, session policy) to a request signed with a minted session's keys.
/// Every request must carry a valid SigV4 signature by a known key; parameters and limits are checked as the real
/// services check them, and faults (throttling, 5xx, hangs) can be queued per action.
/// </summary>
internal sealed partial class FakeAws : IAsyncDisposable
{
    public const string AccountId = "123456789012";
    public const string AuthorizeAction = "Authorize";
    private const string StsVersion = "2011-06-15";
    private const string IamVersion = "2010-05-08";
    private const int InlineAggregateLimit = 10240;
    private static readonly XNamespace StsNs = "https://sts.amazonaws.com/doc/2011-06-15/";
    private static readonly XNamespace IamNs = "https://iam.amazonaws.com/doc/2010-05-08/";

    private readonly Lock _gate = new();
    private readonly TimeProvider _clock;
    private readonly Dictionary<string, FakeRole> _roles = new(StringComparer.Ordinal);
    private readonly Dictionary<string, FakeSession> _sessions = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Queue<FakeFault>> _faults = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, int> _counts = new(StringComparer.Ordinal);
    private readonly List<AssumeRoleCall> _assumeRoleCalls = [];
    private readonly List<(string Action, int Count, TaskCompletionSource Signal)> _waiters = [];
    private readonly List<(string Role, string Policy, string Document)> _held = [];
    private readonly List<FakeSession> _unanswered = [];
    private readonly string _brokerSecret;
    private WebApplication? _app;

    private FakeAws(TimeProvider clock)
    {
        _clock = clock;
        BrokerAccessKeyId = "AKIA" + RandomText(16, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567");
        _brokerSecret = RandomText(40, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/");
    }

    public Uri Url { get; private set; } = null!;

    public string BrokerAccessKeyId { get; }

    /// <summary>The broker's long-term keys, known to the fake.</summary>
    public BasicAWSCredentials BrokerCredentials => new(BrokerAccessKeyId, _brokerSecret);

    /// <summary>Every secret value the fake knows (broker secret, issued secrets and tokens), for leak checks.</summary>
    public IReadOnlyList<string> AllSecrets
    {
        get
        {
            lock (_gate)
            {
                return [_brokerSecret, .. _sessions.Values.SelectMany(s => new[] { s.SecretAccessKey, s.SessionToken, s.AccessKeyId })];
            }
        }
    }

    /// <summary>When true, the broker's keys count as role credentials: AssumeRole above 3,600 s fails as role chaining.</summary>
    public bool BrokerIsRole { get; set; }

    /// <summary>An outage: while true, every request gets HTTP 503 with an HTML body, as a load balancer answers.</summary>
    public bool Down { get; set; }

    /// <summary>Simulated packed-size limit: session policy plus tag characters above this fail with PackedPolicyTooLarge.</summary>
    public int PackedPolicyLimit { get; set; } = int.MaxValue;

    /// <summary>Sessions issued by an AssumeRole that got no answer (<see cref="FakeFault.IssueUnanswered"/>).</summary>
    public IReadOnlyList<FakeSession> UnansweredSessions
    {
        get
        {
            lock (_gate)
            {
                return _unanswered.ToList();
            }
        }
    }

    public IReadOnlyList<AssumeRoleCall> AssumeRoleCalls
    {
        get
        {
            lock (_gate)
            {
                return _assumeRoleCalls.ToList();
            }
        }
    }

    public static async Task<FakeAws> StartAsync(TimeProvider clock)
    {
        var fake = new FakeAws(clock);
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        app.Run(fake.HandleAsync);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        fake.Url = new Uri(address.EndsWith('/') ? address : address + "/");
        fake._app = app;
        return fake;
    }

    public FakeRole AddRole(string name, TimeSpan? maxSessionDuration = null, string? requiredExternalId = null, IReadOnlyList<string>? allowedActions = null)
    {
        var role = new FakeRole(AccountId, name, "AROA" + RandomText(17, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"), maxSessionDuration ?? TimeSpan.FromHours(1))
        {
            RequiredExternalId = requiredExternalId,
            AllowedActions = allowedActions ?? ["*"],
        };
        lock (_gate)
        {
            _roles.Add(name, role);
        }

        return role;
    }

    public string? PolicyOf(string roleName, string policyName = "aab-revoked-sessions")
    {
        lock (_gate)
        {
            return _roles[roleName].InlinePolicies.GetValueOrDefault(policyName);
        }
    }

    public void SeedPolicy(string roleName, string policyName, string document)
    {
        lock (_gate)
        {
            _roles[roleName].InlinePolicies[policyName] = document;
        }
    }

    public void RemovePolicy(string roleName, string policyName)
    {
        lock (_gate)
        {
            _roles[roleName].InlinePolicies.Remove(policyName);
        }
    }

    public FakeSession Session(string accessKeyId)
    {
        lock (_gate)
        {
            return _sessions[accessKeyId];
        }
    }

    /// <summary>Queues <paramref name="fault"/> for the next <paramref name="times"/> requests of <paramref name="action"/>.</summary>
    public void Inject(string action, FakeFault fault, int times = 1)
    {
        lock (_gate)
        {
            if (!_faults.TryGetValue(action, out var queue))
            {
                _faults[action] = queue = new Queue<FakeFault>();
            }

            for (var i = 0; i < times; i++)
            {
                queue.Enqueue(fault);
            }
        }
    }

    /// <summary>Applies the writes held by <see cref="FakeFault.LandLate"/>, in arrival order, as IAM would on a late arrival.</summary>
    public void LandHeldWrites()
    {
        lock (_gate)
        {
            foreach (var (role, policy, document) in _held)
            {
                _roles[role].InlinePolicies[policy] = document;
            }

            _held.Clear();
        }
    }

    /// <summary>How many requests of <paramref name="action"/> arrived, faulted ones included.</summary>
    public int Count(string action) => _counts.GetValueOrDefault(action);

    /// <summary>Completes once <paramref name="count"/> requests of <paramref name="action"/> have arrived.</summary>
    public Task WhenReceivedAsync(string action, int count)
    {
        var signal = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_gate)
        {
            _waiters.Add((action, count, signal));
        }

        SignalWaiters();
        return signal.Task;
    }

    private void SignalWaiters()
    {
        lock (_gate)
        {
            foreach (var waiter in _waiters.Where(w => Count(w.Action) >= w.Count).ToList())
            {
                waiter.Signal.TrySetResult();
                _waiters.Remove(waiter);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }

    private static string RandomText(int length, string alphabet) =>
        string.Create(length, alphabet, static (span, chars) =>
        {
            for (var i = 0; i < span.Length; i++)
            {
                span[i] = chars[RandomNumberGenerator.GetInt32(chars.Length)];
            }
        });

    private static bool IsStsAction(string action) => action is "AssumeRole" or "GetCallerIdentity";

    private static bool IsIamAction(string action) => action is "PutRolePolicy" or "GetRolePolicy" or "DeleteRolePolicy";

    private async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        using var buffer = new MemoryStream();
        await request.Body.CopyToAsync(buffer, context.RequestAborted);
        var body = buffer.ToArray();
        var form = request.Method == HttpMethods.Post
            ? QueryHelpers.ParseQuery(Encoding.UTF8.GetString(body))
            : QueryHelpers.ParseQuery(request.QueryString.Value);
        var action = form.TryGetValue("Action", out var a) ? a.ToString() : string.Empty;
        _counts.AddOrUpdate(action, 1, (_, n) => n + 1);
        SignalWaiters();
        var ns = IsIamAction(action) ? IamNs : StsNs;

        FakeFault? fault = null;
        lock (_gate)
        {
            if (_faults.TryGetValue(action, out var queue) && queue.Count > 0)
            {
                fault = queue.Dequeue();
            }
        }

        if (Down)
        {
            fault = FakeFault.UnavailableHtml;
        }

        switch (fault)
        {
            case FakeFault.Throttle:
                await ErrorAsync(context, ns, HttpStatusCode.BadRequest, "Throttling", "Rate exceeded");
                return;
            case FakeFault.ServerError:
                await ErrorAsync(context, ns, HttpStatusCode.InternalServerError, ns == IamNs ? "ServiceFailure" : "InternalFailure", "An internal error occurred.", "Receiver");
                return;
            case FakeFault.UnavailableHtml:
                context.Response.StatusCode = 503;
                context.Response.ContentType = "text/html";
                await context.Response.WriteAsync("<html><body><h1>503 Service Temporarily Unavailable</h1></body></html>");
                return;
            case FakeFault.TooManyRequests:
                context.Response.StatusCode = 429;
                context.Response.ContentType = "text/plain";
                await context.Response.WriteAsync("Too Many Requests");
                return;
            case FakeFault.LandLate:
                lock (_gate)
                {
                    _held.Add((form.GetValueOrDefault("RoleName").ToString(), form.GetValueOrDefault("PolicyName").ToString(), form.GetValueOrDefault("PolicyDocument").ToString()));
                }

                goto case FakeFault.Hang;
            case FakeFault.Hang:
                await HangAsync(context);
                return;
        }

        if (request.Method != HttpMethods.Post || request.ContentType?.StartsWith("application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase) != true)
        {
            await ErrorAsync(context, ns, HttpStatusCode.BadRequest, "InvalidRequest", "Requests must be form-encoded POSTs.");
            return;
        }

        var expectedVersion = IsIamAction(action) ? IamVersion : StsVersion;
        if (action != AuthorizeAction && form["Version"] != expectedVersion)
        {
            await ErrorAsync(context, ns, HttpStatusCode.BadRequest, "InvalidAction", $"Could not find operation {action} for version {form["Version"]}");
            return;
        }

        var expectedService = IsIamAction(action) ? "iam" : IsStsAction(action) ? "sts" : null;
        var caller = Authenticate(request, body, expectedService);
        if (caller.Error is { } error)
        {
            await ErrorAsync(context, ns, error.Status, error.Code, error.Message);
            return;
        }

        switch (action)
        {
            case "AssumeRole" when fault == FakeFault.IssueUnanswered:
                // Issued as usual, but the answer goes nowhere and the client waits until it gives up.
                var answer = context.Response.Body;
                context.Response.Body = Stream.Null;
                await AssumeRoleAsync(context, form, caller.Session);
                lock (_gate)
                {
                    var sessionName = form.GetValueOrDefault("RoleSessionName").ToString();
                    _unanswered.AddRange(_sessions.Values.Where(s => s.SessionName == sessionName && !_unanswered.Contains(s)));
                }

                context.Response.Body = answer;
                await HangAsync(context);
                break;
            case "AssumeRole":
                await AssumeRoleAsync(context, form, caller.Session);
                break;
            case "GetCallerIdentity":
                await GetCallerIdentityAsync(context, caller.Session);
                break;
            case "PutRolePolicy":
            case "GetRolePolicy":
            case "DeleteRolePolicy":
                if (caller.Session is not null)
                {
                    await ErrorAsync(context, ns, HttpStatusCode.Forbidden, "AccessDenied", $"User: {SessionArn(caller.Session)} is not authorized to perform: iam:{action}");
                    return;
                }

                await IamAsync(context, action, form);
                break;
            case AuthorizeAction:
                await AuthorizeAsync(context, form, caller.Session);
                break;
            default:
                await ErrorAsync(context, ns, HttpStatusCode.BadRequest, "InvalidAction", $"Could not find operation {action} for version {form["Version"]}");
                break;
        }
    }

    private static async Task HangAsync(HttpContext context)
    {
        var aborted = new TaskCompletionSource();
        await using (context.RequestAborted.Register(() => aborted.TrySetResult()))
        {
            await aborted.Task;
        }
    }

    private sealed record Failure(HttpStatusCode Status, string Code, string Message);

    private sealed record Caller(FakeSession? Session, Failure? Error);

    private Caller Authenticate(HttpRequest request, byte[] body, string? expectedService)
    {
        var header = request.Headers.Authorization.ToString();
        if (string.IsNullOrEmpty(header))
        {
            return new(null, new(HttpStatusCode.Forbidden, "MissingAuthenticationToken", "Request is missing Authentication Token"));
        }

        if (SigV4Verifier.Parse(header) is not { } parsed)
        {
            return new(null, new(HttpStatusCode.BadRequest, "IncompleteSignature", "Authorization header requires 'Credential', 'SignedHeaders' and 'Signature' parameters."));
        }

        var amzDate = request.Headers["X-Amz-Date"].ToString();
        if (!parsed.SignedHeaders.Contains("host") || !parsed.SignedHeaders.Contains("x-amz-date") || !amzDate.StartsWith(parsed.Scope.Date, StringComparison.Ordinal))
        {
            return new(null, new(HttpStatusCode.Forbidden, "SignatureDoesNotMatch", "The host and x-amz-date headers must be signed, and the credential date must match x-amz-date."));
        }

        if (expectedService is not null && parsed.Scope.Service != expectedService)
        {
            return new(null, new(HttpStatusCode.Forbidden, "SignatureDoesNotMatch", $"Credential should be scoped to correct service: '{expectedService}'."));
        }

        if (expectedService == "iam" && parsed.Scope.Region != "us-east-1")
        {
            return new(null, new(HttpStatusCode.Forbidden, "SignatureDoesNotMatch", "Credential should be scoped to a valid region."));
        }

        string secret;
        FakeSession? session = null;
        lock (_gate)
        {
            if (parsed.Scope.AccessKeyId == BrokerAccessKeyId)
            {
                secret = _brokerSecret;
            }
            else if (_sessions.TryGetValue(parsed.Scope.AccessKeyId, out session))
            {
                secret = session.SecretAccessKey;
            }
            else
            {
                return new(null, new(HttpStatusCode.Forbidden, "InvalidClientTokenId", "The security token included in the request is invalid."));
            }
        }

        if (session is not null && !SigV4Verifier.FixedTimeEquals(request.Headers["X-Amz-Security-Token"].ToString(), session.SessionToken))
        {
            return new(null, new(HttpStatusCode.Forbidden, "InvalidClientTokenId", "The security token included in the request is invalid."));
        }

        var signedHeaders = parsed.SignedHeaders
            .Select(name => (name, name == "host" ? request.Host.Value ?? string.Empty : string.Join(',', request.Headers[name].ToArray())))
            .ToList();
        var expected = SigV4Verifier.Signature(request.Method, request.Path.Value ?? "/", request.QueryString.Value?.TrimStart('?') ?? string.Empty, signedHeaders, body, amzDate, parsed.Scope, secret);
        if (!SigV4Verifier.FixedTimeEquals(expected, parsed.Signature))
        {
            return new(null, new(HttpStatusCode.Forbidden, "SignatureDoesNotMatch", "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method."));
        }

        if (session is not null && _clock.GetUtcNow() >= session.Expiration)
        {
            return new(null, new(HttpStatusCode.BadRequest, "ExpiredToken", "The security token included in the request is expired"));
        }

        return new(session, null);
    }

    private static string SessionArn(FakeSession session) => $"arn:aws:sts::{AccountId}:assumed-role/{session.Role.Name}/{session.SessionName}";

    private static Task ValidationAsync(HttpContext context, string message) =>
        ErrorAsync(context, StsNs, HttpStatusCode.BadRequest, "ValidationError", message.StartsWith("The ", StringComparison.Ordinal) || message.StartsWith("Duplicate", StringComparison.Ordinal) ? message : "1 validation error detected: " + message);

    private static async Task OkAsync(HttpContext context, XNamespace ns, string action, XElement? result)
    {
        var response = new XElement(
            ns + (action + "Response"),
            result,
            new XElement(ns + "ResponseMetadata", new XElement(ns + "RequestId", Guid.NewGuid().ToString())));
        context.Response.StatusCode = 200;
        context.Response.ContentType = "text/xml";
        await context.Response.WriteAsync(response.ToString(SaveOptions.DisableFormatting));
    }

    private static async Task ErrorAsync(HttpContext context, XNamespace ns, HttpStatusCode status, string code, string message, string type = "Sender")
    {
        var response = new XElement(
            ns + "ErrorResponse",
            new XElement(ns + "Error", new XElement(ns + "Type", type), new XElement(ns + "Code", code), new XElement(ns + "Message", message)),
            new XElement(ns + "RequestId", Guid.NewGuid().ToString()));
        context.Response.StatusCode = (int)status;
        context.Response.ContentType = "text/xml";
        await context.Response.WriteAsync(response.ToString(SaveOptions.DisableFormatting));
    }
}
