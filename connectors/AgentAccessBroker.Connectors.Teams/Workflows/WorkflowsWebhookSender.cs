using System.Text;
using System.Text.Json.Nodes;

namespace AgentAccessBroker.Connectors.Teams.Workflows;

/// <summary>
/// Posts a message to the Teams Workflows trigger ("When a Teams webhook request is received"). The URL is a secret
/// (its <c>sig</c> query parameter is the credential), resolved per call and never logged or echoed in an error.
/// Workflows answer 202 Accepted.
/// </summary>
internal sealed class WorkflowsWebhookSender(IHttpClientFactory httpClients, TeamsSecrets secrets, Api.RetryingSender sender)
{
    public const string HttpClientName = "AgentAccessBroker.Teams.Workflows";

    public async Task SendAsync(JsonObject message, CancellationToken cancellationToken)
    {
        if (!Uri.TryCreate(secrets.WorkflowsWebhookUrl(), UriKind.Absolute, out var url) || (url.Scheme != Uri.UriSchemeHttps && url.Scheme != Uri.UriSchemeHttp))
        {
            throw new Api.TeamsApiException("workflows post", null, "webhook_url_invalid");
        }

        var json = message.ToJsonString();
        var http = httpClients.CreateClient(HttpClientName);
        using var response = await sender.SendAsync(
            http,
            "workflows post",
            _ => Task.FromResult(new HttpRequestMessage(HttpMethod.Post, url) { Content = new StringContent(json, Encoding.UTF8, "application/json") }),
            cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            throw new Api.TeamsApiException("workflows post", (int)response.StatusCode, "rejected");
        }
    }
}
