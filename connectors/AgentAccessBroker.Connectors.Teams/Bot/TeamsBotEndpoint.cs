using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using AgentAccessBroker.Approvals;
using AgentAccessBroker.Audit;
using AgentAccessBroker.Connectors.Teams.Auth;
using AgentAccessBroker.Connectors.Teams.Cards;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AgentAccessBroker.Connectors.Teams.Bot;

/// <summary>
/// The bot's messaging endpoint. Every call must carry a valid Bot Framework token for this app and this activity's
/// <c>serviceUrl</c>, or it gets 401 and nothing else happens. An <c>adaptiveCard/action</c> invoke from an
/// <c>Action.Execute</c> button becomes a vote: the clicker is <c>from.aadObjectId</c> of the authenticated activity
/// (never a card value), mapped to a policy approver, and the desk decides. The invoke is answered with the updated
/// card, or with a message saying why nothing was counted. Other activities are acknowledged and ignored.
/// </summary>
internal sealed class TeamsBotEndpoint(
    BotFrameworkTokenValidator tokens,
    TeamsApprovalChannel channel,
    IServiceProvider services,
    IOptions<TeamsConnectorOptions> options,
    TimeProvider time,
    ILogger<TeamsBotEndpoint> logger)
{
    public const int MaxBodyBytes = 256 * 1024;
    private const string MessageResponseType = "application/vnd.microsoft.activity.message";

    public async Task HandleAsync(HttpContext context)
    {
        var cancellationToken = context.RequestAborted;
        if (context.Request.ContentLength > MaxBodyBytes)
        {
            context.Response.StatusCode = StatusCodes.Status413PayloadTooLarge;
            return;
        }

        JsonObject? activity = null;
        try
        {
            activity = await ReadAsync(context.Request, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is JsonException or InvalidDataException)
        {
            // Still answered 401 below unless the token holds, so an unauthenticated caller learns nothing about parsing.
        }

        var serviceUrl = Text(activity, "serviceUrl");
        var check = await tokens.ValidateAsync(context.Request.Headers.Authorization.ToString() is { Length: > 0 } h ? h : null, serviceUrl, Text(activity, "channelId"), cancellationToken)
            .ConfigureAwait(false);
        if (!check.Valid)
        {
            TeamsLog.TokenRefused(logger, check.Code);
            context.Response.StatusCode = StatusCodes.Status401Unauthorized;
            return;
        }

        if (activity is null)
        {
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            return;
        }

        if (!string.Equals(Text(activity, "type"), "invoke", StringComparison.Ordinal)
            || !string.Equals(Text(activity, "name"), "adaptiveCard/action", StringComparison.Ordinal))
        {
            context.Response.StatusCode = StatusCodes.Status200OK;
            return;
        }

        var reply = await InvokeAsync(activity, cancellationToken).ConfigureAwait(false);
        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentType = "application/json; charset=utf-8";
        await context.Response.WriteAsync(reply.ToJsonString(), cancellationToken).ConfigureAwait(false);
    }

    private async Task<JsonObject> InvokeAsync(JsonObject activity, CancellationToken cancellationToken)
    {
        var action = activity["value"]?["action"] as JsonObject;
        var verb = Text(action, "verb");
        var requestId = action?["data"]?["requestId"] is JsonValue v && v.TryGetValue<string>(out var id) && id.Length is > 0 and <= 200 ? id : null;
        if (requestId is null || verb is not (ApprovalCardComposer.ApproveVerb or ApprovalCardComposer.ApproveShorterVerb or ApprovalCardComposer.DenyVerb))
        {
            return Error(400, "BadRequest", "This button is not one of AgentAccessBroker's.");
        }

        var user = Text(activity["from"] as JsonObject, "aadObjectId");
        if (string.IsNullOrEmpty(user) || user.Length > 64)
        {
            return Message("Your Teams account could not be identified, so your click was not counted.");
        }

        var desk = services.GetRequiredService<IApprovalDesk>();
        var approverId = await desk.FindApproverAsync(requestId, TeamsApprovalChannel.ChannelName, user, cancellationToken).ConfigureAwait(false);
        if (approverId is null)
        {
            TeamsLog.UnknownApprover(logger, requestId, user);
            await AuditUnknownUserAsync(requestId, user, verb, cancellationToken).ConfigureAwait(false);
            return Message("You are not an approver for this request, so your click was not counted.");
        }

        var approve = verb != ApprovalCardComposer.DenyVerb;
        TimeSpan? shortenTo = verb == ApprovalCardComposer.ApproveShorterVerb ? options.Value.ShorterDuration : null;
        var result = await desk.VoteAsync(requestId, approverId, approve, TeamsApprovalChannel.ChannelName, user, shortenTo, comment: null, cancellationToken)
            .ConfigureAwait(false);
        TeamsLog.Voted(logger, requestId, user, approverId, verb, result.GetType().Name);
        return result switch
        {
            VoteResult.Recorded recorded => CardReply(requestId, recorded.Status),
            VoteResult.AlreadyDecided { Status.Outcome: not null } decided => CardReply(requestId, decided.Status),
            VoteResult.AlreadyDecided => Message("You have already voted on this request; it is waiting for other approvers."),
            VoteResult.Rejected rejected => Message("You cannot decide this request: " + CardText.Untrusted(rejected.Reason, 500)),
            _ => Message("This request no longer exists."),
        };
    }

    private JsonObject CardReply(string requestId, ApprovalStatus status)
    {
        var notice = channel.NoticeOf(requestId);
        var card = notice is not null
            ? ApprovalCardComposer.BotCard(notice, status, options.Value.ShorterDuration)
            : ApprovalCardComposer.BotCardForRequest(requestId, 1, status);
        return new JsonObject { ["statusCode"] = 200, ["type"] = ApprovalCardComposer.AdaptiveCardContentType, ["value"] = card };
    }

    private static JsonObject Message(string text) =>
        new() { ["statusCode"] = 200, ["type"] = MessageResponseType, ["value"] = text };

    private static JsonObject Error(int status, string code, string message) => new()
    {
        ["statusCode"] = status,
        ["type"] = "application/vnd.microsoft.error",
        ["value"] = new JsonObject { ["code"] = code, ["message"] = message },
    };

    private async Task AuditUnknownUserAsync(string requestId, string user, string verb, CancellationToken cancellationToken)
    {
        if (services.GetService<IAuditLog>() is not { } audit)
        {
            return;
        }

        var data = new JsonObject
        {
            ["channel"] = TeamsApprovalChannel.ChannelName,
            ["code"] = "unknown_teams_user",
            ["teams_user"] = user,
            ["action"] = verb,
            ["received_at"] = time.GetUtcNow().ToString("O", CultureInfo.InvariantCulture),
        };
        await audit.AppendAsync(new AuditEntry(AuditEventType.ApprovalRejected, "teams:" + user, null, null, requestId, null, data), cancellationToken)
            .ConfigureAwait(false);
    }

    private static async Task<JsonObject?> ReadAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[8192];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
        {
            if (buffer.Length + read > MaxBodyBytes)
            {
                throw new InvalidDataException("body too large");
            }

            buffer.Write(chunk, 0, read);
        }

        return JsonNode.Parse(buffer.ToArray(), documentOptions: new JsonDocumentOptions { MaxDepth = 32 }) as JsonObject;
    }

    private static string? Text(JsonObject? node, string name) =>
        node?[name] is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;
}
