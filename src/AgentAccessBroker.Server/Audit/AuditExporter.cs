using System.Globalization;
using System.Text;
using System.Text.Json;
using AgentAccessBroker.Storage;
using CsvHelper;

namespace AgentAccessBroker.Server.Audit;

/// <summary>Streams audit events as jsonl or csv, ending with a signed manifest that <see cref="AuditVerifier"/> checks.</summary>
public sealed class AuditExporter(IBrokerStore store, AuditSigningKey key, TimeProvider time)
{
    public async Task ExportAsync(AuditQuery query, string format, Stream destination, CancellationToken cancellationToken)
    {
        await using var writer = new StreamWriter(destination, new UTF8Encoding(false), leaveOpen: true);
        if (format == "ocsf")
        {
            // For a SIEM: OCSF events only, no trailer (each event still carries its chain hashes under unmapped.aab).
            await foreach (var e in store.ReadAuditAsync(query, cancellationToken))
            {
                await writer.WriteLineAsync(OcsfEvent.Of(AuditRecord.Of(e), ProductVersion).ToJsonString());
            }

            await writer.FlushAsync(cancellationToken);
            return;
        }

        // No spreadsheet-injection escaping: it would change field text and break the hashes auditors recompute.
        await using var csv = format == "csv" ? CsvWriter.Create(writer, new CsvWriterOptions { Injection = CsvInjection.None }, true) : null;
        if (csv is not null)
        {
            WriteCsv(csv, AuditExportFormat.CsvColumns);
            await csv.EndRecordAsync(cancellationToken);
        }

        var hashes = new List<string>();
        long? first = null, last = null;
        await foreach (var e in store.ReadAuditAsync(query, cancellationToken))
        {
            var record = AuditRecord.Of(e);
            hashes.Add(record.Hash);
            first ??= record.Sequence;
            last = record.Sequence;
            if (csv is null)
            {
                await writer.WriteLineAsync(JsonSerializer.Serialize(record, AuditExportFormat.Json));
            }
            else
            {
                WriteCsv(csv, record.Sequence.ToString(CultureInfo.InvariantCulture), record.Timestamp, record.Type, record.Actor, record.AgentId,
                    record.TaskId, record.RequestId, record.LeaseId, record.Data, record.PreviousHash, record.Hash);
                await csv.EndRecordAsync(cancellationToken);
            }
        }

        var manifest = new AuditManifest(1, time.GetUtcNow().ToString("O", CultureInfo.InvariantCulture), query.From?.ToString("O", CultureInfo.InvariantCulture),
            query.To?.ToString("O", CultureInfo.InvariantCulture), query.AgentId, query.TaskId, hashes.Count, first, last, AuditManifest.Digest(hashes), key.KeyId);
        var manifestJson = JsonSerializer.Serialize(manifest, AuditExportFormat.Json);
        var trailer = new AuditExportFormat.Trailer(AuditManifest.RecordType, manifestJson,
            Convert.ToBase64String(key.Sign(Encoding.UTF8.GetBytes(manifestJson))), Convert.ToBase64String(key.PublicKey));
        if (csv is null)
        {
            await writer.WriteLineAsync(JsonSerializer.Serialize(trailer, AuditExportFormat.Json));
        }
        else
        {
            WriteCsv(csv, string.Empty, string.Empty, trailer.Type, string.Empty, null, null, null, null, trailer.ManifestJson, trailer.Signature, trailer.PublicKey);
            await csv.EndRecordAsync(cancellationToken);
            await csv.FlushAsync(cancellationToken);
        }

        await writer.FlushAsync(cancellationToken);
    }

    /// <summary>The broker's version as OCSF's <c>metadata.product.version</c>.</summary>
    public static string ProductVersion { get; } = typeof(AuditExporter).Assembly.GetName().Version?.ToString() ?? "0";

    private static void WriteCsv(CsvWriter csv, params string?[] fields)
    {
        foreach (var field in fields)
        {
            csv.WriteField(field ?? string.Empty);
        }
    }
}
