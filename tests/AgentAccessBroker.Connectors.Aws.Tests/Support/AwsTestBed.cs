using System.Text;
using AgentAccessBroker.Connectors.Aws.Revocation;
using AgentAccessBroker.Connectors.Aws.Signing;
using AgentAccessBroker.Connectors.Aws.Tests.Fakes;
using AgentAccessBroker.Credentials;
using AgentAccessBroker.Storage;
using AgentAccessBroker.Testing;
using Amazon.Runtime;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using AgentAccessBroker.Testing.Fakes;

namespace AgentAccessBroker.Connectors.Aws.Tests.Support;

/// <summary>A fake AWS on loopback, a manual clock shared by the fake and the providers, and captured logs.</summary>
internal sealed class AwsTestBed : IAsyncDisposable
{
    private readonly List<StsCredentialProvider> _providers = [];
    private readonly HttpClient _http = new();
    private readonly ILoggerFactory _loggers;

    private AwsTestBed(FakeAws fake, FakeTimeProvider clock, CapturingLoggerProvider logs)
    {
        Fake = fake;
        Clock = clock;
        Logs = logs;
        _loggers = logs.CreateFactory();
    }

    public FakeAws Fake { get; }

    public FakeTimeProvider Clock { get; }

    public CapturingLoggerProvider Logs { get; }

    /// <param name="start">The manual clock's start; a fixed date by default. Tests that hand credentials to SDK code
    /// which checks expiry against the real clock start at the real time instead.</param>
    public static async Task<AwsTestBed> StartAsync(DateTimeOffset? start = null)
    {
        var clock = new FakeTimeProvider(start ?? TestClock.Start);
        return new AwsTestBed(await FakeAws.StartAsync(clock), clock, new CapturingLoggerProvider());
    }

    public AwsConnectorOptions Options(Action<AwsConnectorOptions>? configure = null)
    {
        var options = new AwsConnectorOptions
        {
            BrokerCredentials = Fake.BrokerCredentials,
            MaxRetryAttempts = 3,
            RetryBaseDelay = TimeSpan.FromMilliseconds(1),
            RetryMaxDelay = TimeSpan.FromMilliseconds(5),
            AttemptTimeout = TimeSpan.FromSeconds(5),
        };
        configure?.Invoke(options);
        return options;
    }

    public StsCredentialProvider CreateProvider(
        Action<AwsConnectorOptions>? configure = null, IResourceLock? clusterLock = null, IEnumerable<IRevocationObserver>? observers = null)
    {
        var provider = new StsCredentialProvider(
            Options(configure), Clock, _loggers.CreateLogger<StsCredentialProvider>(), new RoleGate(clusterLock), observers ?? []);
        lock (_providers)
        {
            _providers.Add(provider);
        }

        return provider;
    }

    /// <summary>Loggers writing into <see cref="Logs"/>, for broker classes run beside the providers.</summary>
    public ILoggerFactory Loggers => _loggers;

    public TargetSettings Target(FakeRole role, params (string Key, string Value)[] extra)
    {
        var settings = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["role_arn"] = role.Arn,
            ["region"] = "us-east-1",
            ["max_session_duration"] = ((int)role.MaxSessionDuration.TotalSeconds).ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["sts_endpoint"] = Fake.Url.ToString(),
            ["iam_endpoint"] = Fake.Url.ToString(),
        };
        foreach (var (key, value) in extra)
        {
            settings[key] = value;
        }

        return new TargetSettings("aws-" + role.Name, "aws", settings, new Dictionary<string, SecretReference>());
    }

    public MintRequest Request(
        TargetSettings target, TimeSpan? duration = null, IReadOnlyList<string>? actions = null, IReadOnlyList<string>? resources = null, string agentId = "agent-7")
    {
        var now = Clock.GetUtcNow();
        return new MintRequest(
            Domain.Ids.New("lease"),
            Domain.Ids.New("task"),
            agentId,
            target,
            resources ?? ["arn:aws:s3:::reports/2026/*"],
            actions ?? ["s3:GetObject"],
            now,
            now + (duration ?? TimeSpan.FromMinutes(15)));
    }

    public async Task<(MintRequest Request, MintResult Result)> MintAsync(StsCredentialProvider provider, TargetSettings target, TimeSpan? duration = null)
    {
        var request = Request(target, duration);
        var result = await provider.MintAsync(request, provider.Plan(request), CancellationToken.None);
        return (request, result);
    }

    public RevocationRequest Revocation(MintRequest request, RevocationData data) =>
        new(request.LeaseId, request.Target, data, request.NotAfter, Clock.GetUtcNow());

    /// <summary>Uses minted keys against the fake: true when IAM evaluation allows the call.</summary>
    public async Task<bool> CanAsync(IssuedCredential credential, string action = "s3:GetObject", string resource = "arn:aws:s3:::reports/2026/q3.csv")
    {
        var keys = new ImmutableCredentials(
            credential.EnvironmentVariables["AWS_ACCESS_KEY_ID"], credential.EnvironmentVariables["AWS_SECRET_ACCESS_KEY"], credential.EnvironmentVariables["AWS_SESSION_TOKEN"]);
        var body = Encoding.UTF8.GetBytes(
            $"Action={FakeAws.AuthorizeAction}&Operation={Uri.EscapeDataString(action)}&Resource={Uri.EscapeDataString(resource)}");
        using var request = new HttpRequestMessage(HttpMethod.Post, Fake.Url) { Content = new ByteArrayContent(body) };
        request.Content.Headers.TryAddWithoutValidation("Content-Type", SigV4Signer.FormContentType);
        SigV4Signer.Sign(request, body, keys, "us-east-1", "s3", DateTimeOffset.UtcNow);
        using var response = await _http.SendAsync(request);
        return response.IsSuccessStatusCode;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var provider in _providers)
        {
            provider.Dispose();
        }

        _http.Dispose();
        _loggers.Dispose();
        await Fake.DisposeAsync();
    }
}
