using System.Globalization;
using System.Text;
using System.Text.Json;
using CsvHelper;

namespace AgentAccessBroker.Server.Audit;

/// <summary>
/// Checks an export offline: every event's hash, the links between consecutive events, the order, the count and digest
/// against the signed manifest, and the signature (against a pinned public key when one is given).
/// </summary>
public static class AuditVerifier
{
    public static AuditVerification VerifyFile(string path, byte[]? pinnedPublicKey = null)
    {
        using var reader = new StreamReader(path, Encoding.UTF8);
        var firstLine = reader.ReadLine();
        reader.BaseStream.Position = 0;
        reader.DiscardBufferedData();
        return firstLine is not null && firstLine.StartsWith("sequence,", StringComparison.Ordinal)
            ? Verify(ReadCsv(reader), pinnedPublicKey)
            : Verify(ReadJsonl(reader), pinnedPublicKey);
    }

    internal static AuditVerification Verify((IReadOnlyList<AuditRecord> Events, AuditExportFormat.Trailer? Trailer, string? ParseError) export, byte[]? pinnedPublicKey)
    {
        var problems = new List<string>();
        if (export.ParseError is not null)
        {
            return new AuditVerification(false, [export.ParseError], 0, null);
        }

        var events = export.Events;
        for (var i = 0; i < events.Count; i++)
        {
            var e = events[i];
            if (e.ComputeHash() != e.Hash)
            {
                problems.Add($"event {e.Sequence} (line {i + 1}) was altered: its content does not match its hash");
            }

            if (i > 0)
            {
                var previous = events[i - 1];
                if (e.Sequence <= previous.Sequence)
                {
                    problems.Add($"event {e.Sequence} (line {i + 1}) is out of order after event {previous.Sequence}");
                }
                else if (e.Sequence == previous.Sequence + 1 && e.PreviousHash != previous.Hash)
                {
                    problems.Add($"event {e.Sequence} (line {i + 1}) does not link to event {previous.Sequence}: an event was altered or replaced");
                }
            }
        }

        var trailer = export.Trailer;
        if (trailer is null)
        {
            problems.Add("the signed manifest (last record) is missing: the export was truncated");
            return new AuditVerification(false, problems, events.Count, null);
        }

        var manifest = JsonSerializer.Deserialize<AuditManifest>(trailer.ManifestJson, AuditExportFormat.Json)!;
        var publicKey = Convert.FromBase64String(trailer.PublicKey);
        if (pinnedPublicKey is not null && !publicKey.AsSpan().SequenceEqual(pinnedPublicKey))
        {
            problems.Add("the export was signed with a different key than the pinned public key");
        }

        if (!AuditSigningKey.Verify(publicKey, Encoding.UTF8.GetBytes(trailer.ManifestJson), Convert.FromBase64String(trailer.Signature)))
        {
            problems.Add("the manifest signature is invalid: the manifest was altered");
        }

        if (manifest.Count != events.Count)
        {
            problems.Add($"the manifest lists {manifest.Count} events but the export holds {events.Count}: events were removed or added");
        }

        if (manifest.EventsDigest != AuditManifest.Digest(events.Select(e => e.Hash)))
        {
            problems.Add("the events do not match the manifest digest: an event was removed, added, replaced or reordered");
        }

        if (!manifest.IsFiltered)
        {
            for (var i = 1; i < events.Count; i++)
            {
                if (events[i].Sequence != events[i - 1].Sequence + 1 && events[i].Sequence > events[i - 1].Sequence)
                {
                    problems.Add($"events {events[i - 1].Sequence + 1}..{events[i].Sequence - 1} are missing from an unfiltered export");
                }
            }
        }

        return new AuditVerification(problems.Count == 0, problems, events.Count, manifest.KeyId);
    }

    private static (IReadOnlyList<AuditRecord>, AuditExportFormat.Trailer?, string?) ReadJsonl(TextReader reader)
    {
        var events = new List<AuditRecord>();
        AuditExportFormat.Trailer? trailer = null;
        var number = 0;
        for (var line = reader.ReadLine(); line is not null; line = reader.ReadLine())
        {
            number++;
            if (line.Length == 0)
            {
                continue;
            }

            try
            {
                using var document = JsonDocument.Parse(line);
                if (document.RootElement.TryGetProperty("manifest_json", out _))
                {
                    trailer = document.RootElement.Deserialize<AuditExportFormat.Trailer>(AuditExportFormat.Json);
                    continue;
                }

                if (trailer is not null)
                {
                    return (events, trailer, $"line {number}: an event follows the manifest");
                }

                events.Add(document.RootElement.Deserialize<AuditRecord>(AuditExportFormat.Json)!);
            }
            catch (Exception exception) when (exception is JsonException or FormatException)
            {
                return (events, trailer, $"line {number} is not a valid audit record");
            }
        }

        return (events, trailer, null);
    }

    private static (IReadOnlyList<AuditRecord>, AuditExportFormat.Trailer?, string?) ReadCsv(TextReader reader)
    {
        var events = new List<AuditRecord>();
        AuditExportFormat.Trailer? trailer = null;
        using var csv = CsvReader.Create(reader, new CsvReaderOptions { HasHeader = true, AllowLineBreaksInQuotes = true, TrimWhitespace = false }, true);
        while (csv.Read())
        {
            string? Field(string name) => csv.GetString(name) is { Length: > 0 } value ? value : null;
            if (Field("type") == AuditManifest.RecordType)
            {
                trailer = new AuditExportFormat.Trailer(AuditManifest.RecordType, Field("data") ?? string.Empty, Field("previous_hash") ?? string.Empty, Field("hash") ?? string.Empty);
                continue;
            }

            if (!long.TryParse(Field("sequence"), NumberStyles.None, CultureInfo.InvariantCulture, out var sequence))
            {
                return (events, trailer, $"row {csv.RowNumber} has no valid sequence");
            }

            events.Add(new AuditRecord(sequence, Field("timestamp") ?? string.Empty, Field("type") ?? string.Empty, Field("actor") ?? string.Empty,
                Field("agent_id"), Field("task_id"), Field("request_id"), Field("lease_id"), csv.GetString("data") ?? string.Empty,
                Field("previous_hash") ?? string.Empty, Field("hash") ?? string.Empty));
        }

        return (events, trailer, null);
    }
}
