using System.Collections.Concurrent;
using System.Globalization;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using AgentAccessBroker.Testing.Fakes;

namespace AgentAccessBroker.Connectors.Slack.Tests.Fakes;

/// <summary>
/// A local Slack (Kestrel on 127.0.0.1, free port) that speaks the real wire shapes: <c>chat.postMessage</c>,
/// <c>chat.update</c> (Bearer bot token, JSON, Block Kit limits checked, <c>ok:false</c> errors), response URLs
/// (<c>/actions/...</c>), <c>apps.connections.open</c> (app-level token only) and a Socket Mode WebSocket that sends
/// <c>hello</c>, envelopes and <c>disconnect</c>, and records acknowledgements. Faults (429 with Retry-After, 5xx,
/// ok:false) can be scripted per method.
/// </summary>
internal sealed class FakeSlack : IAsyncDisposable
{
    public const string BotToken = "xoxb-111-222-FakeBotTokenValue9f8e7d";
    public const string AppToken = "xapp-1-A0FAKE-333-FakeAppTokenValue6c5b4a";
    public const string TeamId = "T0FAKE";
    public const string ApproverChannel = "C0APPROVERS";
    public const string DefaultChannel = "C0DEFAULT";

    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, ConcurrentQueue<Fault>> _faults = new();
    private readonly ConcurrentDictionary<string, int> _responseUrlUses = new();
    private readonly ConcurrentDictionary<string, bool> _tickets = new();
    private readonly Lock _gate = new();
    private readonly List<StoredMessage> _messages = [];
    private readonly List<SocketSession> _sockets = [];
    private long _ts = 1_700_000_000_000_100;

    private FakeSlack(WebApplication app)
    {
        _app = app;
    }

    public Uri BaseUrl { get; private set; } = null!;

    public Uri ApiBaseUrl => new(BaseUrl, "/api/");

    public Signal Changed { get; } = new();

    /// <summary>Every Web API call as received: method, Authorization header, content type, body.</summary>
    public ConcurrentQueue<ApiCall> Calls { get; } = new();

    /// <summary>Bodies posted to response URLs, with the URL path.</summary>
    public ConcurrentQueue<(string Path, JsonObject Body, string? Authorization)> Responses { get; } = new();

    public ConcurrentQueue<JsonObject> Updates { get; } = new();

    public int ConnectionsOpened => _tickets.Count;

    public IReadOnlyList<StoredMessage> Messages
    {
        get
        {
            lock (_gate)
            {
                return _messages.ToList();
            }
        }
    }

    public IReadOnlyList<SocketSession> Sockets
    {
        get
        {
            lock (_gate)
            {
                return _sockets.ToList();
            }
        }
    }

    public static async Task<FakeSlack> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var fake = new FakeSlack(app);
        app.UseWebSockets();
        app.MapPost("/api/chat.postMessage", fake.PostMessageAsync);
        app.MapPost("/api/chat.update", fake.UpdateAsync);
        app.MapPost("/api/apps.connections.open", fake.OpenConnectionAsync);
        app.MapPost("/actions/{team}/{id}/{secret}", fake.RespondAsync);
        app.Map("/link/", fake.AcceptSocketAsync);
        await app.StartAsync();
        fake.BaseUrl = new Uri(app.Urls.Single());
        return fake;
    }

    public void Inject(string method, Fault fault) => _faults.GetOrAdd(method, _ => new ConcurrentQueue<Fault>()).Enqueue(fault);

    public StoredMessage Message(string ts) => Messages.Single(m => m.Ts == ts);

    /// <summary>A response URL like Slack's (hooks.slack.com/actions/T../id/secret), served here.</summary>
    public Uri NewResponseUrl() => new(BaseUrl, $"/actions/{TeamId}/{Random.Shared.NextInt64(1_000_000_000, 9_999_999_999)}/{Guid.NewGuid():N}");

    public string NextActionTs() =>
        (Interlocked.Increment(ref _ts) / 1_000_000m).ToString("0.000000", CultureInfo.InvariantCulture);

    /// <summary>
    /// The block_actions payload Slack sends when <paramref name="userId"/> clicks <paramref name="actionId"/> on a
    /// stored message: the button's block_id and value as posted, the message as it stands now, a fresh response URL.
    /// </summary>
    public JsonObject ClickPayload(string ts, string userId, string actionId, string? actionTs = null)
    {
        var message = Message(ts);
        JsonObject? block = null;
        JsonObject? button = null;
        foreach (var candidate in message.Blocks.OfType<JsonObject>().Where(b => (string?)b["type"] == "actions"))
        {
            button = candidate["elements"]!.AsArray().OfType<JsonObject>().FirstOrDefault(e => (string?)e["action_id"] == actionId);
            if (button is not null)
            {
                block = candidate;
                break;
            }
        }

        if (block is null || button is null)
        {
            throw new InvalidOperationException($"Message {ts} shows no '{actionId}' button.");
        }

        return new JsonObject
        {
            ["type"] = "block_actions",
            ["user"] = new JsonObject { ["id"] = userId, ["username"] = userId.ToLowerInvariant(), ["name"] = userId.ToLowerInvariant(), ["team_id"] = TeamId },
            ["api_app_id"] = "A0FAKE",
            ["token"] = "legacyVerificationTokenUnused",
            ["container"] = new JsonObject { ["type"] = "message", ["message_ts"] = ts, ["channel_id"] = message.Channel, ["is_ephemeral"] = false },
            ["trigger_id"] = "123.456.abcdef",
            ["team"] = new JsonObject { ["id"] = TeamId, ["domain"] = "fake" },
            ["enterprise"] = null,
            ["is_enterprise_install"] = false,
            ["channel"] = new JsonObject { ["id"] = message.Channel, ["name"] = "approvers" },
            ["message"] = new JsonObject
            {
                ["type"] = "message",
                ["subtype"] = "bot_message",
                ["text"] = message.Text,
                ["ts"] = ts,
                ["bot_id"] = "B0FAKE",
                ["blocks"] = message.Blocks.DeepClone(),
            },
            ["state"] = new JsonObject { ["values"] = new JsonObject() },
            ["response_url"] = NewResponseUrl().AbsoluteUri,
            ["actions"] = new JsonArray(new JsonObject
            {
                ["action_id"] = actionId,
                ["block_id"] = (string?)block["block_id"],
                ["text"] = button["text"]!.DeepClone(),
                ["value"] = (string?)button["value"],
                ["style"] = button["style"]?.DeepClone(),
                ["type"] = "button",
                ["action_ts"] = actionTs ?? NextActionTs(),
            }),
        };
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var socket in Sockets)
        {
            socket.Abort();
        }

        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private async Task PostMessageAsync(HttpContext context)
    {
        if (await ReadMessageCallAsync(context, "chat.postMessage") is not { } body)
        {
            return;
        }

        var channel = (string?)body["channel"];
        if (string.IsNullOrEmpty(channel) || (channel != ApproverChannel && channel != DefaultChannel))
        {
            await WriteAsync(context, Error("channel_not_found"));
            return;
        }

        var ts = NextActionTs();
        var stored = new StoredMessage(channel, ts, (string?)body["text"] ?? string.Empty, body["blocks"]?.AsArray().DeepClone().AsArray() ?? []);
        lock (_gate)
        {
            _messages.Add(stored);
        }

        Changed.Pulse();
        await WriteAsync(context, new JsonObject { ["ok"] = true, ["channel"] = channel, ["ts"] = ts, ["message"] = stored.ToJson() });
    }

    private async Task UpdateAsync(HttpContext context)
    {
        if (await ReadMessageCallAsync(context, "chat.update") is not { } body)
        {
            return;
        }

        var channel = (string?)body["channel"];
        var ts = (string?)body["ts"];

        StoredMessage? stored;
        lock (_gate)
        {
            stored = _messages.FirstOrDefault(m => m.Channel == channel && m.Ts == ts);
            if (stored is not null)
            {
                // Like Slack: passing text without blocks removes the blocks.
                stored.Text = (string?)body["text"] ?? stored.Text;
                stored.Blocks = body["blocks"]?.AsArray().DeepClone().AsArray() ?? [];
                stored.UpdateCount++;
            }
        }

        if (stored is null)
        {
            await WriteAsync(context, Error(channel is ApproverChannel or DefaultChannel ? "message_not_found" : "channel_not_found"));
            return;
        }

        Updates.Enqueue(body);
        Changed.Pulse();
        await WriteAsync(context, new JsonObject { ["ok"] = true, ["channel"] = channel, ["ts"] = ts, ["text"] = stored.Text, ["message"] = stored.ToJson() });
    }

    private async Task OpenConnectionAsync(HttpContext context)
    {
        var (_, error) = await ReadCallAsync(context, "apps.connections.open", tokenPrefix: "xapp-", expected: AppToken, form: true);
        if (error is not null)
        {
            await WriteAsync(context, error);
            return;
        }

        var ticket = Guid.NewGuid().ToString("N");
        _tickets[ticket] = false;
        var url = new UriBuilder(BaseUrl) { Scheme = "ws", Path = "/link/", Query = $"ticket={ticket}&app_id=A0FAKE" }.Uri;
        Changed.Pulse();
        await WriteAsync(context, new JsonObject { ["ok"] = true, ["url"] = url.AbsoluteUri });
    }

    private async Task RespondAsync(HttpContext context)
    {
        var path = context.Request.Path.Value!;
        var uses = _responseUrlUses.AddOrUpdate(path, 1, (_, n) => n + 1);
        if (uses > 5)
        {
            // Slack allows a response URL five times within 30 minutes.
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            await context.Response.WriteAsync("used_url");
            return;
        }

        var body = await JsonNode.ParseAsync(context.Request.Body) as JsonObject;
        if (body is null || string.IsNullOrEmpty((string?)body["text"]))
        {
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            await context.Response.WriteAsync("no_text");
            return;
        }

        Responses.Enqueue((path, body, context.Request.Headers.Authorization.ToString()));
        Changed.Pulse();
        context.Response.ContentType = "text/html";
        await context.Response.WriteAsync("ok");
    }

    private async Task AcceptSocketAsync(HttpContext context)
    {
        var ticket = context.Request.Query["ticket"].ToString();
        if (!context.WebSockets.IsWebSocketRequest || !_tickets.TryUpdate(ticket, true, false))
        {
            // Tickets are single-use, as with Slack.
            context.Response.StatusCode = StatusCodes.Status401Unauthorized;
            return;
        }

        using var socket = await context.WebSockets.AcceptWebSocketAsync();
        var session = new SocketSession(socket, Changed);
        lock (_gate)
        {
            _sockets.Add(session);
        }

        Changed.Pulse();
        await session.SendAsync(new JsonObject
        {
            ["type"] = "hello",
            ["num_connections"] = 1,
            ["debug_info"] = new JsonObject { ["host"] = "applink-fake", ["build_number"] = 1, ["approximate_connection_time"] = 18060 },
            ["connection_info"] = new JsonObject { ["app_id"] = "A0FAKE" },
        });
        await session.ReceiveUntilClosedAsync(context.RequestAborted);
    }

    /// <summary>Reads a chat.* call; answers the error itself (auth, arguments, Block Kit limits) and returns null.</summary>
    private async Task<JsonObject?> ReadMessageCallAsync(HttpContext context, string method)
    {
        var (body, error) = await ReadCallAsync(context, method, tokenPrefix: "xoxb-", expected: BotToken);
        error ??= Validate(body!);
        if (error is null)
        {
            return body;
        }

        await WriteAsync(context, error);
        return null;
    }

    private async Task<(JsonObject? Body, JsonObject? Error)> ReadCallAsync(
        HttpContext context, string method, string tokenPrefix, string expected, bool form = false)
    {
        var authorization = context.Request.Headers.Authorization.ToString();
        var contentType = context.Request.ContentType ?? string.Empty;
        string raw;
        using (var reader = new StreamReader(context.Request.Body, Encoding.UTF8))
        {
            raw = await reader.ReadToEndAsync();
        }

        JsonObject? body = null;
        if (!form && raw.Length > 0)
        {
            body = JsonNode.Parse(raw) as JsonObject;
        }

        Calls.Enqueue(new ApiCall(method, authorization, contentType, body));
        Changed.Pulse();

        if (_faults.TryGetValue(method, out var faults) && faults.TryDequeue(out var fault))
        {
            if (fault.Status != 200)
            {
                context.Response.StatusCode = fault.Status;
                if (fault.RetryAfterSeconds is { } seconds)
                {
                    context.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
                }

                return (null, fault.Status == 429 ? Error("ratelimited") : new JsonObject { ["ok"] = false, ["error"] = "fatal_error" });
            }

            return (null, Error(fault.Error!));
        }

        if (!authorization.StartsWith("Bearer ", StringComparison.Ordinal))
        {
            return (null, Error("not_authed"));
        }

        var token = authorization["Bearer ".Length..];
        if (!token.StartsWith(tokenPrefix, StringComparison.Ordinal))
        {
            return (null, Error("not_allowed_token_type"));
        }

        if (token != expected)
        {
            return (null, Error("invalid_auth"));
        }

        if (form ? !contentType.StartsWith("application/x-www-form-urlencoded", StringComparison.Ordinal)
                 : !contentType.StartsWith("application/json", StringComparison.Ordinal) || body is null)
        {
            return (null, Error("invalid_arguments"));
        }

        return (body, null);
    }

    /// <summary>The Block Kit limits Slack enforces (answered with <c>invalid_blocks</c>).</summary>
    private static JsonObject? Validate(JsonObject body)
    {
        var problems = new List<string>();
        var text = (string?)body["text"];
        var blocks = body["blocks"] as JsonArray;
        if (string.IsNullOrEmpty(text) && (blocks is null || blocks.Count == 0))
        {
            return Error("no_text");
        }

        if (text is { Length: > 40000 })
        {
            return Error("msg_too_long");
        }

        blocks ??= [];
        if (blocks.Count > 50)
        {
            problems.Add("more than 50 blocks");
        }

        var blockIds = new HashSet<string>();
        foreach (var block in blocks.OfType<JsonObject>())
        {
            var type = (string?)block["type"];
            if (block["block_id"] is { } id && ((string?)id is not { Length: > 0 and <= 255 } value || !blockIds.Add(value)))
            {
                problems.Add("block_id missing, too long or repeated");
            }

            switch (type)
            {
                case "header":
                    CheckText(block["text"], 150, problems, plainOnly: true);
                    break;
                case "section":
                    CheckText(block["text"], 3000, problems, plainOnly: false);
                    break;
                case "context":
                    var elements = block["elements"]!.AsArray();
                    if (elements.Count is 0 or > 10)
                    {
                        problems.Add("context needs 1 to 10 elements");
                    }

                    foreach (var element in elements)
                    {
                        CheckText(element, 3000, problems, plainOnly: false);
                    }

                    break;
                case "actions":
                    var buttons = block["elements"]!.AsArray();
                    if (buttons.Count is 0 or > 25)
                    {
                        problems.Add("actions needs 1 to 25 elements");
                    }

                    foreach (var button in buttons.OfType<JsonObject>())
                    {
                        CheckButton(button, problems);
                    }

                    break;
                default:
                    problems.Add($"unexpected block type {type}");
                    break;
            }
        }

        return problems.Count == 0
            ? null
            : new JsonObject { ["ok"] = false, ["error"] = "invalid_blocks", ["errors"] = new JsonArray(problems.Select(p => (JsonNode)p!).ToArray()) };
    }

    private static void CheckButton(JsonObject button, List<string> problems)
    {
        CheckText(button["text"], 75, problems, plainOnly: true);
        if ((string?)button["action_id"] is not { Length: > 0 and <= 255 })
        {
            problems.Add("button action_id");
        }

        if ((string?)button["value"] is { Length: > 2000 })
        {
            problems.Add("button value longer than 2000");
        }

        if (button["style"] is { } style && (string?)style is not ("primary" or "danger"))
        {
            problems.Add("button style");
        }

        if (button["confirm"] is JsonObject confirm)
        {
            CheckText(confirm["title"], 100, problems, plainOnly: true);
            CheckText(confirm["text"], 300, problems, plainOnly: false);
            CheckText(confirm["confirm"], 30, problems, plainOnly: true);
            CheckText(confirm["deny"], 30, problems, plainOnly: true);
        }
    }

    private static void CheckText(JsonNode? node, int max, List<string> problems, bool plainOnly)
    {
        var type = (string?)node?["type"];
        var text = (string?)node?["text"];
        if (type is not ("plain_text" or "mrkdwn") || (plainOnly && type != "plain_text"))
        {
            problems.Add($"bad text object type {type}");
        }

        if (text is null || text.Length == 0 || text.Length > max)
        {
            problems.Add($"text length {text?.Length} outside 1..{max}");
        }

        if ((type == "plain_text" && node!["verbatim"] is not null) || (type == "mrkdwn" && node!["emoji"] is not null))
        {
            problems.Add("verbatim is for mrkdwn and emoji for plain_text only");
        }
    }

    private static JsonObject Error(string code) => new() { ["ok"] = false, ["error"] = code };

    private static Task WriteAsync(HttpContext context, JsonObject body)
    {
        context.Response.ContentType = "application/json; charset=utf-8";
        return context.Response.WriteAsync(body.ToJsonString());
    }

    public sealed record Fault(int Status, int? RetryAfterSeconds = null, string? Error = null)
    {
        public static Fault RateLimited(int retryAfterSeconds) => new(429, retryAfterSeconds);

        public static Fault ServerError(int status = 503) => new(status);

        public static Fault NotOk(string error) => new(200, Error: error);
    }

    public sealed record ApiCall(string Method, string Authorization, string ContentType, JsonObject? Body);

    public sealed class StoredMessage(string channel, string ts, string text, JsonArray blocks)
    {
        public string Channel { get; } = channel;

        public string Ts { get; } = ts;

        public string Text { get; set; } = text;

        public JsonArray Blocks { get; set; } = blocks;

        public int UpdateCount { get; set; }

        /// <summary>The notification text and every string in the blocks, unescaped, one per line.</summary>
        public string AllText => Text + "\n" + string.Join("\n", Strings(Blocks));

        public bool HasButtons => Blocks.OfType<JsonObject>().Any(b => (string?)b["type"] == "actions");

        private static IEnumerable<string> Strings(JsonNode? node) => node switch
        {
            JsonObject o => o.SelectMany(p => Strings(p.Value)),
            JsonArray a => a.SelectMany(Strings),
            JsonValue v when v.TryGetValue<string>(out var text) => [text],
            _ => [],
        };

        public JsonObject ToJson() => new() { ["type"] = "message", ["text"] = Text, ["ts"] = Ts, ["blocks"] = Blocks.DeepClone() };
    }

    /// <summary>One Socket Mode connection, seen from Slack's side.</summary>
    public sealed class SocketSession(WebSocket socket, Signal changed)
    {
        private readonly SemaphoreSlim _send = new(1, 1);

        public ConcurrentQueue<string> Acks { get; } = new();

        public bool Closed { get; private set; }

        public async Task SendAsync(JsonObject message)
        {
            await _send.WaitAsync();
            try
            {
                await socket.SendAsync(Encoding.UTF8.GetBytes(message.ToJsonString()), WebSocketMessageType.Text, true, CancellationToken.None);
            }
            finally
            {
                _send.Release();
            }
        }

        /// <summary>Sends an interactive envelope as Slack does; returns its envelope id.</summary>
        public async Task<string> SendInteractiveAsync(JsonObject payload)
        {
            var envelopeId = Guid.NewGuid().ToString();
            await SendAsync(new JsonObject
            {
                ["envelope_id"] = envelopeId,
                ["payload"] = payload,
                ["type"] = "interactive",
                ["accepts_response_payload"] = false,
            });
            return envelopeId;
        }

        public Task SendDisconnectAsync(string reason) =>
            SendAsync(new JsonObject { ["type"] = "disconnect", ["reason"] = reason, ["debug_info"] = new JsonObject { ["host"] = "applink-fake" } });

        /// <summary>Drops the TCP connection without a close handshake.</summary>
        public void Abort() => socket.Abort();

        public async Task ReceiveUntilClosedAsync(CancellationToken cancellationToken)
        {
            var buffer = new byte[64 * 1024];
            try
            {
                while (socket.State == WebSocketState.Open)
                {
                    using var message = new MemoryStream();
                    WebSocketReceiveResult result;
                    do
                    {
                        result = await socket.ReceiveAsync(buffer, cancellationToken);
                        message.Write(buffer, 0, result.Count);
                    }
                    while (!result.EndOfMessage && result.MessageType != WebSocketMessageType.Close);

                    if (result.MessageType == WebSocketMessageType.Close)
                    {
                        break;
                    }

                    using var ack = JsonDocument.Parse(message.ToArray());
                    if (ack.RootElement.TryGetProperty("envelope_id", out var id))
                    {
                        Acks.Enqueue(id.GetString()!);
                        changed.Pulse();
                    }
                }
            }
            catch (Exception ex) when (ex is WebSocketException or OperationCanceledException)
            {
                // Dropped by a test or by the client.
            }
            finally
            {
                Closed = true;
                changed.Pulse();
            }
        }
    }
}
