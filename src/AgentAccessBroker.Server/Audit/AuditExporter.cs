using System.Globalization;
using System.Text;
using System.Text.Json;
using AgentAccessBroker.Storage;
using CsvHelper;
using CsvHelper.Configuration;

namespace AgentAccessBroker.Server.Audit;

/// <summary>Streams audit events as jsonl or csv, ending with a signed manifest that <see cref="AuditVerifier"/> checks.</summary>
public sealed class AuditExporter(IBrokerStore store, AuditSigningKey key, TimeProvider time)
{
    public async Task ExportAsync(AuditQuery query, string format, Stream destination, CancellationToken cancellationToken)
    {
        await using var writer = new StreamWriter(destination, new UTF8Encoding(false), leaveOpen: true);
        var csv = format == "csv" ? new CsvWriter(writer, new CsvConfiguration(CultureInfo.InvariantCulture), leaveOpen: true) : null;
        if (csv is not null)
        {
            foreach (var column in AuditExportFormat.CsvColumns)
            {
                csv.WriteField(column);
            }

            await csv.NextRecordAsync();
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
                await csv.NextRecordAsync();
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
            await csv.NextRecordAsync();
            await csv.FlushAsync();
        }

        await writer.FlushAsync(cancellationToken);
    }

    private static void WriteCsv(CsvWriter csv, params string?[] fields)
    {
        foreach (var field in fields)
        {
            csv.WriteField(field ?? string.Empty);
        }
    }
}
