using System.Net;
using System.Net.Http.Headers;
using Azure.Core;
using Microsoft.Kiota.Http.HttpClientLibrary.Extensions;

namespace AgentAccessBroker.Connectors.Azure;

/// <summary>
/// The last handler of the Graph SDK's <see cref="HttpClient"/>: it sends each request through the connector's
/// <see cref="AzureRestClient"/> (Azure.Core pipeline with the broker's bearer token, Polly retries on the injected
/// clock, <see cref="AzureConnectorOptions.Transport"/>), so the SDK's own middleware (retry, redirect, compression)
/// is not used and attempts never multiply.
/// </summary>
internal sealed class AzurePipelineHandler(AzureRestClient client) : HttpMessageHandler
{
    private static readonly MediaTypeHeaderValue Json = new("application/json");

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var uri = request.RequestUri ?? throw new InvalidOperationException("A Graph request without a URL.");
        var operation = request.GetRequestOption<AzureOperationOption>()?.Operation ?? $"call Graph {uri.AbsolutePath}";
        var body = request.Content is null ? null : BinaryData.FromBytes(await request.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false));
        var response = await client.SendAsync(new AzureCall(new RequestMethod(request.Method.Method), uri, body, operation), cancellationToken).ConfigureAwait(false);

        var message = new HttpResponseMessage((HttpStatusCode)response.Status) { RequestMessage = request };
        if (!response.Body.IsEmpty)
        {
            message.Content = new ReadOnlyMemoryContent(response.Body.ToMemory());
            message.Content.Headers.ContentType = Json;
        }

        return message;
    }
}
