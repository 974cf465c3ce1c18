using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace AgentAccessBroker.Connectors.Teams.Api;

/// <summary>
/// The two Bot Connector REST calls the channel needs: post a card into a conversation
/// (<c>POST {serviceUrl}/v3/conversations/{conversationId}/activities</c>, answered with the new activity's <c>id</c>)
/// and replace it (<c>PUT …/activities/{activityId}</c>). Authenticated with the bot's Entra app token; a 401 fetches a
/// fresh token once.
/// </summary>
internal sealed class BotConnectorClient(IHttpClientFactory httpClients, EntraAppTokenSource tokens, RetryingSender sender)
{
    public const string HttpClientName = "AgentAccessBroker.Teams.BotConnector";

    public async Task<ConversationMessageRef> PostAsync(Uri serviceUrl, string conversationId, JsonObject activity, CancellationToken cancellationToken)
    {
        var url = new Uri(Base(serviceUrl), "v3/conversations/" + Uri.EscapeDataString(conversationId) + "/activities");
        var body = await SendAsync(HttpMethod.Post, url, activity, "post activity", cancellationToken).ConfigureAwait(false);
        var id = body?["id"] is JsonValue v && v.TryGetValue<string>(out var s) && s.Length > 0
            ? s
            : throw new TeamsApiException("post activity", 200, "no_activity_id");
        return new ConversationMessageRef(serviceUrl, conversationId, id);
    }

    public async Task UpdateAsync(ConversationMessageRef message, JsonObject activity, CancellationToken cancellationToken)
    {
        var url = new Uri(
            Base(message.ServiceUrl),
            "v3/conversations/" + Uri.EscapeDataString(message.ConversationId) + "/activities/" + Uri.EscapeDataString(message.ActivityId));
        var update = (JsonObject)activity.DeepClone();
        update["id"] = message.ActivityId;
        await SendAsync(HttpMethod.Put, url, update, "update activity", cancellationToken).ConfigureAwait(false);
    }

    private static Uri Base(Uri serviceUrl) =>
        serviceUrl.AbsoluteUri.EndsWith('/') ? serviceUrl : new Uri(serviceUrl.AbsoluteUri + "/");

    private async Task<JsonNode?> SendAsync(HttpMethod method, Uri url, JsonObject activity, string operation, CancellationToken cancellationToken)
    {
        var http = httpClients.CreateClient(HttpClientName);
        var json = activity.ToJsonString();
        for (var authAttempt = 0; ; authAttempt++)
        {
            using var response = await sender.SendAsync(http, operation, async ct =>
            {
                var request = new HttpRequestMessage(method, url) { Content = new StringContent(json, Encoding.UTF8, "application/json") };
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", await tokens.GetAsync(ct).ConfigureAwait(false));
                return request;
            }, cancellationToken).ConfigureAwait(false);

            if (response.StatusCode == HttpStatusCode.Unauthorized && authAttempt == 0)
            {
                tokens.Invalidate();
                continue;
            }

            var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            JsonNode? body = null;
            try
            {
                body = text.Length == 0 ? null : JsonNode.Parse(text);
            }
            catch (JsonException)
            {
                // Bodies are only read for the id; a non-JSON success is handled by the caller.
            }

            if (!response.IsSuccessStatusCode)
            {
                // The Bot Connector answers { "error": { "code": "...", "message": "..." } }; only the code is kept.
                var code = body?["error"]?["code"] is JsonValue c && c.TryGetValue<string>(out var s) && s.Length <= 64 && s.All(ch => char.IsAsciiLetterOrDigit(ch) || ch is '_' or '-')
                    ? s
                    : "error";
                throw new TeamsApiException(operation, (int)response.StatusCode, code);
            }

            return body;
        }
    }
}
