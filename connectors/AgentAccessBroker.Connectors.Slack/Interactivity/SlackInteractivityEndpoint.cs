using System.Text;
using System.Text.Json;
using AgentAccessBroker.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AgentAccessBroker.Connectors.Slack.Interactivity;

/// <summary>
/// The interactivity Request URL. Reads the raw body, verifies Slack's signature and timestamp (401 otherwise, before
/// anything is parsed), queues the click and answers 200 at once; the vote happens in the background.
/// </summary>
internal sealed class SlackInteractivityEndpoint(
    SlackSecrets secrets,
    SlackInteractionQueue queue,
    IOptions<SlackConnectorOptions> options,
    TimeProvider time,
    ILogger<SlackInteractivityEndpoint> logger)
{
    /// <summary>Slack's payloads carry the whole message; 1 MiB is far above any real one.</summary>
    public const int MaxBodyBytes = 1 << 20;

    public async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        var response = context.Response;
        if (options.Value.Mode == SlackConnectionMode.SocketMode)
        {
            response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }

        var body = await ReadBodyAsync(request, context.RequestAborted).ConfigureAwait(false);
        if (body is null)
        {
            response.StatusCode = StatusCodes.Status413PayloadTooLarge;
            return;
        }

        var check = SlackSignature.Verify(
            request.Headers[SlackSignature.TimestampHeader].ToString(),
            request.Headers[SlackSignature.SignatureHeader].ToString(),
            body,
            secrets.SigningSecret(),
            time.GetUtcNow());
        if (check != SignatureCheck.Valid)
        {
            SlackLog.SignatureRejected(logger, check.ToString());
            response.StatusCode = StatusCodes.Status401Unauthorized;
            return;
        }

        Dictionary<string, Microsoft.Extensions.Primitives.StringValues> fields;
        try
        {
            var form = new FormReader(Encoding.UTF8.GetString(body));
            fields = await form.ReadFormAsync(context.RequestAborted).ConfigureAwait(false);
        }
        catch (InvalidDataException)
        {
            // Over the form reader's key, value or count limits: not a payload Slack sends.
            response.StatusCode = StatusCodes.Status400BadRequest;
            return;
        }

        if (!fields.TryGetValue("payload", out var payloadText) || payloadText.Count != 1)
        {
            response.StatusCode = StatusCodes.Status400BadRequest;
            return;
        }

        JsonDocument document;
        try
        {
            // Strict: a key given twice or in two letter cases is refused, not resolved in the sender's favour.
            document = StrictJson.Parse(payloadText.ToString());
        }
        catch (JsonException)
        {
            response.StatusCode = StatusCodes.Status400BadRequest;
            return;
        }

        using (document)
        {
            if (!SlackInteractionParser.TryParse(document.RootElement, "http", out var interaction, out var reason))
            {
                SlackLog.InteractionIgnored(logger, reason);
                response.StatusCode = StatusCodes.Status200OK;
                return;
            }

            if (!queue.TryEnqueue(interaction))
            {
                SlackLog.QueueFull(logger, interaction.RequestId, interaction.UserId);
                response.StatusCode = StatusCodes.Status503ServiceUnavailable;
                return;
            }

            SlackLog.InteractionQueued(logger, interaction.RequestId, interaction.UserId, interaction.ActionId, interaction.Source);
        }

        response.StatusCode = StatusCodes.Status200OK;
    }

    private static async Task<byte[]?> ReadBodyAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        if (request.ContentLength > MaxBodyBytes)
        {
            return null;
        }

        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
        {
            if (buffer.Length + read > MaxBodyBytes)
            {
                return null;
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }
}
