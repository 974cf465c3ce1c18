using System.Globalization;
using System.Text;
using System.Security.Cryptography;
using System.Text.Json;
using AgentAccessBroker.Text;
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
            if (!HashMatches(e))
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

        if (ReadTrailer(trailer) is not var (manifest, publicKey, signature))
        {
            problems.Add("the signed manifest (last record) is malformed: the export was tampered with");
            return new AuditVerification(false, problems, events.Count, null);
        }

        // The key id shown is the one of the key that checked the signature, never the one the manifest claims.
        var keyId = AuditSigningKey.KeyIdOf(publicKey);
        var signatureValid = SignatureValid(publicKey, trailer.ManifestJson, signature);
        if (!signatureValid)
        {
            problems.Add("the manifest signature is invalid: the manifest was altered");
        }

        if (manifest.KeyId != keyId)
        {
            problems.Add($"the manifest names signing key {UntrustedText.Excerpt(manifest.KeyId)} but was signed by key {keyId}");
        }

        var signerVerified = false;
        if (pinnedPublicKey is not null)
        {
            signerVerified = publicKey.AsSpan().SequenceEqual(pinnedPublicKey);
            if (!signerVerified)
            {
                problems.Add($"the export was signed by key {keyId}, not by the pinned public key {AuditSigningKey.KeyIdOf(pinnedPublicKey)}");
            }
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

        return new AuditVerification(problems.Count == 0, problems, events.Count, keyId) { SignerVerified = problems.Count == 0 && signerVerified, PublicKey = publicKey };
    }

    private static bool HashMatches(AuditRecord record)
    {
        try
        {
            return record.ComputeHash() == record.Hash;
        }
        catch (FormatException)
        {
            return false;
        }
    }

    /// <summary>The manifest, public key and signature of a trailer, or null when any of them cannot be read.</summary>
    private static (AuditManifest Manifest, byte[] PublicKey, byte[] Signature)? ReadTrailer(AuditExportFormat.Trailer trailer)
    {
        try
        {
            if (trailer.Type != AuditManifest.RecordType || string.IsNullOrEmpty(trailer.ManifestJson))
            {
                return null;
            }

            using var document = StrictJson.Parse(trailer.ManifestJson);
            var manifest = document.RootElement.Deserialize<AuditManifest>(AuditExportFormat.Json);

            // The manifest must be exactly what the exporter serialises: nothing signed may hide extra or duplicate keys.
            if (manifest is null || JsonSerializer.Serialize(manifest, AuditExportFormat.Json) != trailer.ManifestJson)
            {
                return null;
            }

            return (manifest, Convert.FromBase64String(trailer.PublicKey), Convert.FromBase64String(trailer.Signature));
        }
        catch (Exception exception) when (exception is JsonException or FormatException or ArgumentException or NotSupportedException or InvalidOperationException)
        {
            return null;
        }
    }

    private static bool SignatureValid(byte[] publicKey, string manifestJson, byte[] signature)
    {
        try
        {
            return AuditSigningKey.Verify(publicKey, Encoding.UTF8.GetBytes(manifestJson), signature);
        }
        catch (CryptographicException)
        {
            return false;
        }
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

            if (trailer is not null)
            {
                return (events, trailer, $"line {number}: a record follows the manifest");
            }

            try
            {
                using var document = StrictJson.Parse(line);
                if (document.RootElement.ValueKind == JsonValueKind.Object && document.RootElement.TryGetProperty("manifest_json", out _))
                {
                    trailer = document.RootElement.Deserialize<AuditExportFormat.Trailer>(AuditExportFormat.Json);
                    if (trailer is null || JsonSerializer.Serialize(trailer, AuditExportFormat.Json) != line)
                    {
                        return (events, null, $"line {number}: the signed manifest is malformed or not in canonical form: the export was tampered with");
                    }

                    continue;
                }

                var record = document.RootElement.Deserialize<AuditRecord>(AuditExportFormat.Json);

                // Only the canonical serialisation of an event is accepted: extra, duplicate or reordered keys (which
                // the hash does not cover) are tampering, not noise.
                if (record is null || JsonSerializer.Serialize(record, AuditExportFormat.Json) != line)
                {
                    return (events, trailer, $"line {number} is not the canonical form of an audit record: it was edited");
                }

                events.Add(record);
            }
            catch (Exception exception) when (exception is JsonException or FormatException or NotSupportedException or InvalidOperationException)
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
