using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using AgentAccessBroker.Approvals;
using AgentAccessBroker.Audit;
using AgentAccessBroker.Connectors.Slack.Interactivity;
using AgentAccessBroker.Connectors.Slack.Tests.Fakes;
using AgentAccessBroker.Credentials;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using AgentAccessBroker.Testing.Fakes;

namespace AgentAccessBroker.Connectors.Slack.Tests;

/// <summary>
/// A broker-shaped host on 127.0.0.1 with the Slack connector registered the way the server will do it, the
/// interactivity endpoint mapped, an in-memory desk, a manual clock and recorded logs and audit.
/// </summary>
internal sealed class BrokerHost : IAsyncDisposable
{
    public const string SigningSecret = "8f742231b10e8888abcd99yyyzzz85a5-fake";

    private readonly WebApplication _app;
    private readonly HttpClient _http = new();

    private BrokerHost(WebApplication app, FakeSlack slack, InMemoryApprovalDesk desk, ObservableTimeProvider time, RecordingLoggerProvider logs, RecordingAuditLog audit)
    {
        _app = app;
        Slack = slack;
        Desk = desk;
        Time = time;
        Logs = logs;
        Audit = audit;
        BaseUrl = new Uri(app.Urls.Single());
    }

    public FakeSlack Slack { get; }

    public InMemoryApprovalDesk Desk { get; }

    public ObservableTimeProvider Time { get; }

    public RecordingLoggerProvider Logs { get; }

    public RecordingAuditLog Audit { get; }

    public Uri BaseUrl { get; }

    public IServiceProvider Services => _app.Services;

    public IApprovalChannel Channel => _app.Services.GetServices<IApprovalChannel>().Single(c => c.Name == "slack");

    public static IReadOnlyDictionary<string, string> Secrets { get; } = new Dictionary<string, string>
    {
        ["environment:AAB_SLACK_BOT_TOKEN"] = FakeSlack.BotToken,
        ["environment:AAB_SLACK_SIGNING_SECRET"] = SigningSecret,
        ["environment:AAB_SLACK_APP_TOKEN"] = FakeSlack.AppToken,
    };

    public static async Task<BrokerHost> StartAsync(FakeSlack slack, Action<SlackConnectorOptions>? configure = null)
    {
        var time = new ObservableTimeProvider();
        var desk = new InMemoryApprovalDesk(time, "slack", slack.Changed);
        var logs = new RecordingLoggerProvider(slack.Changed);
        var audit = new RecordingAuditLog(time);
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders().AddProvider(logs).SetMinimumLevel(LogLevel.Trace);
        builder.Services.AddSingleton<TimeProvider>(time);
        builder.Services.AddSingleton<IApprovalDesk>(desk);
        builder.Services.AddSingleton<IAuditLog>(audit);
        builder.Services.AddSingleton<ISecretResolver>(new DictionarySecretResolver(Secrets));
        builder.Services.AddSlackApprovals(options =>
        {
            // Secrets come by reference (the defaults: AAB_SLACK_* environment variables) through the resolver.
            options.ApiBaseUrl = slack.ApiBaseUrl;
            options.DefaultChannel = FakeSlack.DefaultChannel;
            configure?.Invoke(options);
        });
        var app = builder.Build();
        app.MapSlackInteractivity();
        await app.StartAsync();
        return new BrokerHost(app, slack, desk, time, logs, audit);
    }

    public static ApprovalNotice Notice(string requestId, int quorum = 1, string? channel = FakeSlack.ApproverChannel) => new(
        requestId,
        AgentId: "agent-claude-1",
        AgentOwner: "dana",
        TaskId: "task_42",
        TaskDescription: "Rotate the reporting bucket lifecycle rules",
        TaskOwner: "tom",
        Target: "aws-prod",
        Resources: ["arn:aws:s3:::reports", "arn:aws:s3:::reports/*"],
        Actions: ["s3:GetObject", "s3:PutLifecycleConfiguration"],
        Duration: TimeSpan.FromHours(1),
        Purpose: "Update lifecycle rules on the reports bucket",
        Score: 64,
        TopReasons: ["Production target", "Write action on a sensitive bucket"],
        ApproverGroup: "platform-approvers",
        Channels: channel is null ? null : new Dictionary<string, string?> { ["slack"] = channel },
        Quorum: quorum,
        ExpiresAt: new DateTimeOffset(2026, 11, 21, 9, 30, 0, TimeSpan.Zero));

    /// <summary>Announces a request through the real channel and returns the posted message ts.</summary>
    public async Task<string> AnnounceAsync(ApprovalNotice notice)
    {
        var reference = await Channel.AnnounceAsync(notice, CancellationToken.None);
        Assert.NotNull(reference);
        return reference![(reference.IndexOf('/') + 1)..];
    }

    /// <summary>POSTs a payload the way Slack does: form field payload=, signed over the raw body.</summary>
    public Task<HttpResponseMessage> PostClickAsync(JsonObject payload, string? timestamp = null, string? signingSecret = null) =>
        PostRawAsync(FormBody(payload), timestamp ?? Time.GetUtcNow().ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture), signingSecret ?? SigningSecret);

    public static string FormBody(JsonObject payload) => "payload=" + Uri.EscapeDataString(payload.ToJsonString());

    public Task<HttpResponseMessage> PostRawAsync(string body, string? timestamp, string? signingSecret, string? signature = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, new Uri(BaseUrl, SlackEndpointRouteBuilderExtensions.DefaultPattern))
        {
            Content = new StringContent(body, Encoding.UTF8),
        };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/x-www-form-urlencoded");
        if (timestamp is not null)
        {
            request.Headers.Add(SlackSignature.TimestampHeader, timestamp);
        }

        signature ??= signingSecret is null || timestamp is null ? null : SlackSignature.Sign(signingSecret, timestamp, Encoding.UTF8.GetBytes(body));
        if (signature is not null)
        {
            request.Headers.Add(SlackSignature.SignatureHeader, signature);
        }

        return _http.SendAsync(request);
    }

    /// <summary>Waits until the fake Slack or the desk satisfies <paramref name="condition"/>.</summary>
    public Task WaitUntilAsync(Func<bool> condition, string what) => Slack.Changed.WaitUntilAsync(condition, what);

    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
