using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using AgentAccessBroker.Approvals;
using AgentAccessBroker.Audit;
using AgentAccessBroker.Connectors.Teams.Tests.Fakes;
using AgentAccessBroker.Credentials;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using AgentAccessBroker.Testing.Fakes;

namespace AgentAccessBroker.Connectors.Teams.Tests;

/// <summary>The Teams connector hosted on 127.0.0.1 against <see cref="FakeTeamsCloud"/>, with an in-memory desk, audit log and log recorder.</summary>
internal sealed class TeamsHost : IAsyncDisposable
{
    public const string Alice = "a11ce000-0000-4000-8000-000000000001";
    public const string Bob = "b0b00000-0000-4000-8000-000000000002";
    public const string Owner = "0a0e7000-0000-4000-8000-000000000003";
    public const string Stranger = "5a7a0000-0000-4000-8000-000000000004";

    private readonly WebApplication _app;

    private TeamsHost(WebApplication app, FakeTeamsCloud cloud, InMemoryApprovalDesk desk, RecordingAuditLog audit, RecordingLoggerProvider logs)
    {
        _app = app;
        Cloud = cloud;
        Desk = desk;
        Audit = audit;
        Logs = logs;
    }

    public FakeTeamsCloud Cloud { get; }

    public InMemoryApprovalDesk Desk { get; }

    public RecordingAuditLog Audit { get; }

    public RecordingLoggerProvider Logs { get; }

    public IServiceProvider Services => _app.Services;

    public Uri BotEndpoint { get; private set; } = null!;

    public HttpClient Http { get; } = new();

    public TeamsApprovalChannel Channel => Services.GetRequiredService<TeamsApprovalChannel>();

    public static Task<TeamsHost> StartAsync(FakeTeamsCloud cloud, TeamsConnectionMode mode = TeamsConnectionMode.Bot, Action<TeamsConnectorOptions>? tweak = null) =>
        StartAsync(cloud, new InMemoryApprovalDesk(TimeProvider.System, "teams"), mode, tweak);

    public static async Task<TeamsHost> StartAsync(
        FakeTeamsCloud cloud, InMemoryApprovalDesk desk, TeamsConnectionMode mode = TeamsConnectionMode.Bot, Action<TeamsConnectorOptions>? tweak = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var logs = new RecordingLoggerProvider();
        builder.Logging.ClearProviders().AddProvider(logs).SetMinimumLevel(LogLevel.Trace);
        var audit = new RecordingAuditLog(TimeProvider.System);
        builder.Services.AddSingleton<IApprovalDesk>(desk);
        builder.Services.AddSingleton<IAuditLog>(audit);
        builder.Services.AddSingleton<ISecretResolver>(new DictionarySecretResolver(new Dictionary<string, string>
        {
            ["environment:AAB_TEAMS_APP_PASSWORD"] = FakeTeamsCloud.AppPassword,
            ["environment:AAB_TEAMS_WORKFLOWS_URL"] = cloud.WorkflowsUrl.ToString(),
        }));
        builder.Services.AddTeamsApprovals(o =>
        {
            o.Mode = mode;
            o.AppId = FakeTeamsCloud.AppId;
            o.TenantId = FakeTeamsCloud.TenantId;
            o.AuthorityHost = cloud.BaseUrl;
            o.OpenIdMetadataUrl = cloud.OpenIdMetadataUrl;
            o.ServiceUrl = cloud.ServiceUrl;
            o.DefaultConversationId = FakeTeamsCloud.Conversation;
            o.ConsoleBaseUrl = new Uri("https://broker.example/");
            o.RetryBaseDelay = TimeSpan.FromMilliseconds(1);
            tweak?.Invoke(o);
        });
        var app = builder.Build();
        app.MapTeamsBot();
        await app.StartAsync();
        var host = new TeamsHost(app, cloud, desk, audit, logs);
        host.BotEndpoint = new Uri(new Uri(app.Urls.First()), TeamsEndpointRouteBuilderExtensions.DefaultPattern);
        return host;
    }

    public static JsonObject Invoke(FakeTeamsCloud cloud, string requestId, string verb, string? aadObjectId, string? serviceUrl = null) => new()
    {
        ["type"] = "invoke",
        ["name"] = "adaptiveCard/action",
        ["channelId"] = "msteams",
        ["serviceUrl"] = serviceUrl ?? cloud.ServiceUrl.ToString(),
        ["id"] = "f:" + Guid.NewGuid().ToString("N"),
        ["from"] = new JsonObject { ["id"] = "29:1abc", ["name"] = "Someone", ["aadObjectId"] = aadObjectId },
        ["conversation"] = new JsonObject { ["id"] = FakeTeamsCloud.Conversation, ["conversationType"] = "channel" },
        ["recipient"] = new JsonObject { ["id"] = "28:" + FakeTeamsCloud.AppId },
        ["value"] = new JsonObject
        {
            ["action"] = new JsonObject { ["type"] = "Action.Execute", ["verb"] = verb, ["data"] = new JsonObject { ["requestId"] = requestId } },
            ["trigger"] = "manual",
        },
    };

    public async Task<(int Status, JsonObject? Body)> PostAsync(JsonObject activity, string? token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, BotEndpoint)
        {
            Content = new StringContent(activity.ToJsonString(), Encoding.UTF8, "application/json"),
        };
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        using var response = await Http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return ((int)response.StatusCode, text.Length == 0 ? null : JsonNode.Parse(text) as JsonObject);
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await _app.DisposeAsync();
    }
}
