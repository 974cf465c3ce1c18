using System.Buffers;
using System.Net.WebSockets;
using System.Text.Json;
using AgentAccessBroker.Connectors.Slack.Api;
using AgentAccessBroker.Connectors.Slack.Interactivity;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AgentAccessBroker.Connectors.Slack.SocketMode;

/// <summary>
/// Socket Mode: opens an outbound WebSocket (URL from apps.connections.open, authorised by the app-level token), acks
/// every envelope at once and hands interactive payloads to the same queue the HTTP endpoint uses. No signature is
/// involved: the connection itself is authenticated by the token. Reconnects on <c>disconnect</c> envelopes at once and
/// after drops or failures with capped exponential backoff.
/// </summary>
internal sealed class SlackSocketModeClient(
    SlackApiClient api,
    SlackInteractionQueue queue,
    IOptions<SlackConnectorOptions> options,
    TimeProvider time,
    ILogger<SlackSocketModeClient> logger) : BackgroundService
{
    private const int MaxMessageBytes = 1 << 20;

    private enum ConnectionEnd
    {
        /// <summary>Slack asked us to reconnect (<c>disconnect</c> envelope): do it at once.</summary>
        RefreshRequested,

        /// <summary>The connection worked (hello received) and then dropped.</summary>
        DroppedAfterHello,

        /// <summary>No working connection came of this attempt.</summary>
        Failed,
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (options.Value.Mode == SlackConnectionMode.Http)
        {
            return;
        }

        var failures = 0;
        while (!stoppingToken.IsCancellationRequested)
        {
            ConnectionEnd end;
            try
            {
                end = await RunConnectionAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                // The reconnect loop is a boundary: whatever broke this connection, keep trying with backoff.
                SlackLog.SocketFailed(logger, ex);
                end = ConnectionEnd.Failed;
            }

            if (end == ConnectionEnd.RefreshRequested)
            {
                failures = 0;
                continue;
            }

            if (end == ConnectionEnd.DroppedAfterHello)
            {
                failures = 0;
            }

            var delay = Backoff(failures++);
            SlackLog.SocketReconnecting(logger, delay, failures);
            try
            {
                await Task.Delay(delay, time, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private TimeSpan Backoff(int failures)
    {
        var settings = options.Value;
        var exponential = settings.ReconnectBaseDelay.TotalMilliseconds * Math.Pow(2, Math.Min(failures, 16));
        var capped = Math.Min(exponential, settings.ReconnectMaxDelay.TotalMilliseconds);

        // Jitter in [50 %, 100 %] so many brokers dropped together do not reconnect in lockstep.
        return TimeSpan.FromMilliseconds(capped * (0.5 + (Random.Shared.NextDouble() * 0.5)));
    }

    private async Task<ConnectionEnd> RunConnectionAsync(CancellationToken stoppingToken)
    {
        var url = await api.OpenConnectionAsync(stoppingToken).ConfigureAwait(false);
        using var socket = new ClientWebSocket();
        socket.Options.KeepAliveInterval = TimeSpan.FromSeconds(30);
        using (var connectTimeout = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken))
        {
            connectTimeout.CancelAfter(options.Value.RequestTimeout);
            await socket.ConnectAsync(url, connectTimeout.Token).ConfigureAwait(false);
        }

        // The URL carries a single-use ticket: log the host only.
        SlackLog.SocketConnected(logger, url.Host);
        var helloSeen = false;
        var buffer = new ArrayBufferWriter<byte>(16 * 1024);
        try
        {
            while (true)
            {
                if (!await ReceiveAsync(socket, buffer, stoppingToken).ConfigureAwait(false))
                {
                    SlackLog.SocketClosed(logger, socket.CloseStatus?.ToString() ?? "dropped");
                    return helloSeen ? ConnectionEnd.DroppedAfterHello : ConnectionEnd.Failed;
                }

                using var envelope = TryParse(buffer.WrittenMemory);
                if (envelope is null)
                {
                    continue;
                }

                var root = envelope.RootElement;
                var type = root.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString() : null;
                if (root.TryGetProperty("envelope_id", out var id) && id.ValueKind == JsonValueKind.String)
                {
                    if (Dispatch(type, root))
                    {
                        await AcknowledgeAsync(socket, id.GetString()!, stoppingToken).ConfigureAwait(false);
                    }

                    continue;
                }

                if (type == "hello")
                {
                    helloSeen = true;
                    SlackLog.SocketHello(logger);
                }
                else if (type == "disconnect")
                {
                    var reason = root.TryGetProperty("reason", out var r) && r.ValueKind == JsonValueKind.String ? r.GetString() : null;
                    SlackLog.SocketDisconnectRequested(logger, reason ?? "unknown");
                    await CloseQuietlyAsync(socket).ConfigureAwait(false);
                    return ConnectionEnd.RefreshRequested;
                }
            }
        }
        finally
        {
            if (stoppingToken.IsCancellationRequested)
            {
                await CloseQuietlyAsync(socket).ConfigureAwait(false);
            }
        }
    }

    /// <returns>False when the envelope must not be acknowledged, so Slack knows the click was not taken.</returns>
    private bool Dispatch(string? type, JsonElement envelope)
    {
        if (type != "interactive" || !envelope.TryGetProperty("payload", out var payload))
        {
            return true;
        }

        if (!SlackInteractionParser.TryParse(payload, "socket", out var interaction, out var reason))
        {
            SlackLog.InteractionIgnored(logger, reason);
            return true;
        }

        if (!queue.TryEnqueue(interaction))
        {
            SlackLog.QueueFull(logger, interaction.RequestId, interaction.UserId);
            return false;
        }

        SlackLog.InteractionQueued(logger, interaction.RequestId, interaction.UserId, interaction.ActionId, interaction.Source);
        return true;
    }

    private static async Task AcknowledgeAsync(ClientWebSocket socket, string envelopeId, CancellationToken cancellationToken)
    {
        var ack = JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, string> { ["envelope_id"] = envelopeId });
        await socket.SendAsync(ack, WebSocketMessageType.Text, endOfMessage: true, cancellationToken).ConfigureAwait(false);
    }

    /// <returns>False when the socket closed; otherwise one whole text message is in <paramref name="buffer"/>.</returns>
    private static async Task<bool> ReceiveAsync(ClientWebSocket socket, ArrayBufferWriter<byte> buffer, CancellationToken cancellationToken)
    {
        buffer.ResetWrittenCount();
        while (true)
        {
            ValueWebSocketReceiveResult result;
            try
            {
                result = await socket.ReceiveAsync(buffer.GetMemory(4096), cancellationToken).ConfigureAwait(false);
            }
            catch (WebSocketException)
            {
                return false;
            }

            if (result.MessageType == WebSocketMessageType.Close)
            {
                return false;
            }

            buffer.Advance(result.Count);
            if (buffer.WrittenCount > MaxMessageBytes)
            {
                await CloseQuietlyAsync(socket, WebSocketCloseStatus.MessageTooBig).ConfigureAwait(false);
                return false;
            }

            if (result.EndOfMessage)
            {
                return true;
            }
        }
    }

    private JsonDocument? TryParse(ReadOnlyMemory<byte> message)
    {
        try
        {
            return JsonDocument.Parse(message);
        }
        catch (JsonException)
        {
            SlackLog.SocketMalformed(logger);
            return null;
        }
    }

    private static async Task CloseQuietlyAsync(ClientWebSocket socket, WebSocketCloseStatus status = WebSocketCloseStatus.NormalClosure)
    {
        if (socket.State is not (WebSocketState.Open or WebSocketState.CloseReceived))
        {
            return;
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
        try
        {
            await socket.CloseOutputAsync(status, null, timeout.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException)
        {
            // Closing is a courtesy; the socket is disposed either way.
        }
    }
}
