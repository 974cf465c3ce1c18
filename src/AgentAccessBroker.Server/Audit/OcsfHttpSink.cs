using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using AgentAccessBroker.Credentials;
using AgentAccessBroker.Storage;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace AgentAccessBroker.Server.Audit;

/// <summary>
/// Streams the audit trail to a SIEM as OCSF events: every interval, the events after the last delivered one are POSTed
/// in batches; the position advances only after the collector answered 2xx, and is kept in a file of the data directory,
/// so delivery survives restarts and is at least once (the collector can drop repeats by <c>metadata.uid</c>, the
/// event's chain hash). A failing collector delays the stream; it never blocks or fails the broker.
/// </summary>
public sealed partial class OcsfHttpSink(
    IBrokerStore store, HttpClient http, SiemSinkOptions options, ISecretResolver secrets, string cursorPath, TimeProvider time, ILogger<OcsfHttpSink> logger)
    : BackgroundService
{
    /// <summary>Events are read again from this long before the last delivered one's time, in case clocks stepped back.</summary>
    private static readonly TimeSpan Overlap = TimeSpan.FromMinutes(5);

    /// <summary>Delivers every event not yet delivered; returns how many were.</summary>
    public async Task<int> DeliverAsync(CancellationToken cancellationToken)
    {
        var (after, since) = ReadCursor();
        var batch = new List<AuditRecord>(options.BatchSize);
        var delivered = 0;
        await foreach (var e in store.ReadAuditAsync(new AuditQuery(From: since - Overlap), cancellationToken))
        {
            if (e.Sequence <= after)
            {
                continue;
            }

            batch.Add(AuditRecord.Of(e));
            if (batch.Count == options.BatchSize)
            {
                delivered += await SendAsync(batch, cancellationToken);
                batch.Clear();
            }
        }

        if (batch.Count > 0)
        {
            delivered += await SendAsync(batch, cancellationToken);
        }

        return delivered;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Interval, time);
        do
        {
            try
            {
                await DeliverAsync(stoppingToken);
            }
            catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException or IOException or InvalidOperationException && !stoppingToken.IsCancellationRequested)
            {
                LogDeliveryFailed(logger, exception, options.Endpoint.GetLeftPart(UriPartial.Path));
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    private async Task<int> SendAsync(List<AuditRecord> batch, CancellationToken cancellationToken)
    {
        var body = new JsonArray([.. batch.Select(e => (JsonNode)OcsfEvent.Of(e, AuditExporter.ProductVersion))]);
        using var request = new HttpRequestMessage(HttpMethod.Post, options.Endpoint)
        {
            Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json"),
        };
        if (options.Token is { } token)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", secrets.Resolve(token));
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.Timeout);
        using var response = await http.SendAsync(request, timeout.Token);
        if (!response.IsSuccessStatusCode)
        {
            throw new HttpRequestException($"the SIEM collector answered {(int)response.StatusCode}", null, response.StatusCode);
        }

        var last = batch[^1];
        WriteCursor(last.Sequence, last.Timestamp);
        return batch.Count;
    }

    private (long After, DateTimeOffset Since) ReadCursor()
    {
        if (!File.Exists(cursorPath))
        {
            return (0, DateTimeOffset.MinValue + Overlap);
        }

        var parts = File.ReadAllText(cursorPath).Trim().Split(' ');
        return (long.Parse(parts[0], CultureInfo.InvariantCulture),
            DateTimeOffset.ParseExact(parts[1], AuditRecord.TimestampFormat, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal));
    }

    private void WriteCursor(long sequence, string timestamp)
    {
        var temporary = cursorPath + ".tmp";
        File.WriteAllText(temporary, $"{sequence.ToString(CultureInfo.InvariantCulture)} {timestamp}\n");
        File.Move(temporary, cursorPath, overwrite: true);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Delivering audit events to the SIEM collector {Endpoint} failed; retrying at the next interval")]
    private static partial void LogDeliveryFailed(ILogger logger, Exception exception, string endpoint);
}
