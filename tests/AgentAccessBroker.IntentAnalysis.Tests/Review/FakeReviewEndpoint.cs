using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace AgentAccessBroker.IntentAnalysis.Tests.Review;

/// <summary>
/// A review endpoint on 127.0.0.1 speaking <c>aab-review/1</c>. It checks what a real one would (POST, JSON, protocol
/// version, required fields) and answers what the test scripts, including faults.
/// </summary>
internal sealed class FakeReviewEndpoint : IAsyncDisposable
{
    private readonly WebApplication _app;

    private FakeReviewEndpoint(WebApplication app, Uri endpoint)
    {
        _app = app;
        Endpoint = endpoint;
    }

    public Uri Endpoint { get; }

    public ConcurrentQueue<(JsonDocument Body, string? Authorization)> Received { get; } = new();

    /// <summary>Set when a request has been received and checked, before the scripted answer is produced.</summary>
    public TaskCompletionSource RequestArrived { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Func<HttpContext, Task> Answer { get; set; } = context => context.Response.WriteAsJsonAsync(new { verdict = "consistent", reason = "fits" });

    public static async Task<FakeReviewEndpoint> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        FakeReviewEndpoint? self = null;
        app.MapPost("/review", async context =>
        {
            if (context.Request.ContentType?.StartsWith("application/json", StringComparison.Ordinal) != true)
            {
                context.Response.StatusCode = 415;
                return;
            }

            var body = await JsonDocument.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted);
            var root = body.RootElement;
            if (root.GetProperty("protocol").GetString() != "aab-review/1" || !root.TryGetProperty("task", out _) || !root.TryGetProperty("request", out _)
                || !root.TryGetProperty("assessment", out _))
            {
                context.Response.StatusCode = 400;
                return;
            }

            self!.Received.Enqueue((body, context.Request.Headers.Authorization.ToString() is { Length: > 0 } auth ? auth : null));
            self.RequestArrived.TrySetResult();
            await self.Answer(context);
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        self = new FakeReviewEndpoint(app, new Uri(address.TrimEnd('/') + "/review"));
        return self;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
