using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using AgentAccessBroker.Server.Audit;
using AgentAccessBroker.Text;

namespace AgentAccessBroker.Server.Evidence;

/// <summary>
/// Checks a pack offline: the signature over <c>manifest.json</c> (and that the pinned key made it), every file's
/// SHA-256 and size against the manifest, no file missing or added, every event's hash, the chain links over the whole
/// covered range, and then computes the report's facts and the population files again from the events.
/// </summary>
public static partial class EvidenceVerifier
{
    private static readonly JsonDocumentOptions Strict = new() { AllowDuplicateProperties = false, MaxDepth = 16 };

    public static EvidenceVerification VerifyDirectory(string directory, byte[]? pinnedPublicKey)
    {
        var altered = new List<string>();
        var disagreements = new List<string>();
        var manifestPath = Path.Combine(directory, EvidenceManifest.FileName);
        var signaturePath = Path.Combine(directory, EvidenceManifest.SignatureFileName);
        if (!File.Exists(manifestPath) || !File.Exists(signaturePath))
        {
            return new EvidenceVerification([$"{EvidenceManifest.FileName} or {EvidenceManifest.SignatureFileName} is missing: this is not a complete evidence pack"], [], false, null, 0, 0);
        }

        var manifestBytes = File.ReadAllBytes(manifestPath);
        var (manifest, signature) = ReadSigned(manifestBytes, File.ReadAllBytes(signaturePath), altered);
        if (manifest is null || signature is null)
        {
            return new EvidenceVerification(altered, [], false, null, 0, 0);
        }

        // A changed byte in signature.json can leave text that is no longer base64: that is tampering, never a crash.
        var publicKey = FromBase64OrNull(signature.PublicKey);
        var signatureBytes = FromBase64OrNull(signature.Signature);
        if (publicKey is null || signatureBytes is null)
        {
            altered.Add($"{EvidenceManifest.SignatureFileName} holds a key or signature that is not base64: it was altered");
            return new EvidenceVerification(altered, [], false, null, 0, 0);
        }

        var keyId = KeyIdOf(publicKey);
        if (!SignatureValid(publicKey, manifestBytes, signatureBytes))
        {
            altered.Add("the signature does not match manifest.json: the manifest was altered or signed by another key");
        }

        if (manifest.KeyId != keyId || signature.KeyId != keyId)
        {
            altered.Add($"the manifest names signing key {UntrustedText.Excerpt(manifest.KeyId)} but the signature was made by key {keyId}");
        }

        var signerVerified = pinnedPublicKey is not null && publicKey.AsSpan().SequenceEqual(pinnedPublicKey);
        if (pinnedPublicKey is not null && !signerVerified)
        {
            altered.Add($"the pack was signed by key {keyId}, not by the pinned public key {KeyIdOf(pinnedPublicKey)}");
        }

        var contents = CheckFiles(directory, manifest, altered);
        var events = ReadEvents(contents.GetValueOrDefault(EvidenceContent.Events), altered);
        var chain = ReadChain(contents.GetValueOrDefault(EvidenceContent.Chain), altered);
        CheckChain(manifest, events, chain, altered);

        var facts = 0;
        if (events is not null && manifest.GeneratedAt is { } stamp && EvidenceContent.Time(stamp) is { } generatedAt
            && ModelOf(events, generatedAt, altered) is { } model)
        {
            var expected = EvidenceContent.Derived(model, EvidenceContent.Scope(manifest.Scope), generatedAt, manifest.Events, manifest.KeyId);
            foreach (var name in new[] { EvidenceContent.Grants, EvidenceContent.Decisions, EvidenceContent.Exceptions, EvidenceContent.Controls })
            {
                if (contents.TryGetValue(name, out var actual) && actual != expected[name])
                {
                    disagreements.Add($"{name} disagrees with the events: {FirstDifference(actual, expected[name])}");
                }
            }

            if (contents.TryGetValue(EvidenceContent.Report, out var report))
            {
                // The report shows every fact through the sanitiser, as the console and the CLI do: compare what it shows.
                var computed = model.Facts().ToDictionary(f => UntrustedText.Sanitise(f.Key), f => UntrustedText.Sanitise(f.Value), StringComparer.Ordinal);
                var stated = StatedFacts(report, disagreements);
                facts = computed.Count;
                foreach (var (key, value) in computed)
                {
                    if (!stated.TryGetValue(key, out var shown))
                    {
                        disagreements.Add($"report.html does not state {key} (the events give {value})");
                    }
                    else if (shown != value)
                    {
                        disagreements.Add($"report.html states {key} = {UntrustedText.Excerpt(shown)} but the events give {value}");
                    }
                }

                disagreements.AddRange(stated.Keys.Where(k => !computed.ContainsKey(k)).Select(k => $"report.html states {UntrustedText.Excerpt(k)}, which the events do not contain"));
                if (disagreements.Count == 0 && report != expected[EvidenceContent.Report])
                {
                    disagreements.Add($"report.html differs from the report its events give: {FirstDifference(report, expected[EvidenceContent.Report])}");
                }
            }
        }

        return new EvidenceVerification(altered, disagreements, signerVerified && altered.Count == 0, keyId, events?.Count ?? 0, facts);
    }

    private static (EvidenceManifest?, EvidenceSignature?) ReadSigned(byte[] manifestBytes, byte[] signatureBytes, List<string> altered)
    {
        try
        {
            using var manifestDocument = JsonDocument.Parse(manifestBytes, Strict);
            using var signatureDocument = JsonDocument.Parse(signatureBytes, Strict);
            var manifest = manifestDocument.RootElement.Deserialize<EvidenceManifest>(EvidenceContent.ManifestJson);
            var signature = signatureDocument.RootElement.Deserialize<EvidenceSignature>(EvidenceContent.ManifestJson);
            if (manifest is null || manifest.Type != EvidenceManifest.ManifestType || manifest.Files is null || manifest.Events is null || manifest.Scope is null)
            {
                altered.Add("manifest.json is not an evidence manifest");
                return (null, null);
            }

            if (signature is null || signature.Type != EvidenceSignature.SignatureType || signature.PublicKey is null || signature.Signature is null)
            {
                altered.Add("signature.json is not an evidence signature");
                return (null, null);
            }

            return (manifest, signature);
        }
        catch (Exception exception) when (exception is JsonException or FormatException or NotSupportedException or InvalidOperationException)
        {
            altered.Add("manifest.json or signature.json cannot be read: the pack was tampered with");
            return (null, null);
        }
    }

    private static Dictionary<string, string> CheckFiles(string directory, EvidenceManifest manifest, List<string> altered)
    {
        var contents = new Dictionary<string, string>(StringComparer.Ordinal);
        var listed = new HashSet<string>(StringComparer.Ordinal);
        foreach (var file in manifest.Files)
        {
            if (file.Name != Path.GetFileName(file.Name) || !listed.Add(file.Name))
            {
                altered.Add($"the manifest lists {UntrustedText.Excerpt(file.Name)} twice or outside the pack");
                continue;
            }

            var path = Path.Combine(directory, file.Name);
            if (!File.Exists(path))
            {
                altered.Add($"{file.Name} is missing");
                continue;
            }

            var bytes = File.ReadAllBytes(path);
            if (bytes.LongLength != file.Bytes || Convert.ToHexStringLower(SHA256.HashData(bytes)) != file.Sha256)
            {
                altered.Add($"{file.Name} was changed: its SHA-256 does not match the signed manifest");
            }

            contents[file.Name] = Encoding.UTF8.GetString(bytes);
        }

        foreach (var required in EvidenceContent.Listed.Where(n => !listed.Contains(n)))
        {
            altered.Add($"the manifest does not list {required}");
        }

        foreach (var path in Directory.EnumerateFileSystemEntries(directory))
        {
            var name = Path.GetFileName(path);
            if (!listed.Contains(name) && name is not EvidenceManifest.FileName and not EvidenceManifest.SignatureFileName)
            {
                altered.Add($"{UntrustedText.Excerpt(name)} is in the pack's directory but not in its manifest");
            }
        }

        return contents;
    }

    private static List<AuditRecord>? ReadEvents(string? text, List<string> altered)
    {
        if (text is null)
        {
            return null;
        }

        var events = new List<AuditRecord>();
        var number = 0;
        foreach (var line in Lines(text))
        {
            number++;
            try
            {
                using var document = JsonDocument.Parse(line, Strict);
                var record = document.RootElement.Deserialize<AuditRecord>(AuditExportFormat.Json);
                if (record is null || JsonSerializer.Serialize(record, AuditExportFormat.Json) != line)
                {
                    altered.Add($"events.jsonl line {number} is not the canonical form of an audit event: it was edited");
                    continue;
                }

                if (!HashMatches(record))
                {
                    altered.Add($"events.jsonl line {number} (event {record.Sequence}) was altered: its content does not match its hash");
                }

                events.Add(record);
            }
            catch (Exception exception) when (exception is JsonException or FormatException or NotSupportedException or InvalidOperationException)
            {
                altered.Add($"events.jsonl line {number} is not an audit event");
            }
        }

        return events;
    }

    private static List<EvidenceChainLink>? ReadChain(string? text, List<string> altered)
    {
        if (text is null)
        {
            return null;
        }

        var links = new List<EvidenceChainLink>();
        var number = 0;
        foreach (var line in Lines(text))
        {
            number++;
            try
            {
                var link = JsonSerializer.Deserialize<EvidenceChainLink>(line, EvidenceLines.Json);
                if (link is null || JsonSerializer.Serialize(link, EvidenceLines.Json) != line)
                {
                    altered.Add($"chain.jsonl line {number} is not a chain link");
                    continue;
                }

                links.Add(link);
            }
            catch (JsonException)
            {
                altered.Add($"chain.jsonl line {number} is not a chain link");
            }
        }

        return links;
    }

    private static void CheckChain(EvidenceManifest manifest, List<AuditRecord>? events, List<EvidenceChainLink>? chain, List<string> altered)
    {
        if (events is null || chain is null)
        {
            return;
        }

        for (var i = 1; i < chain.Count; i++)
        {
            if (chain[i].Sequence != chain[i - 1].Sequence + 1)
            {
                altered.Add($"chain.jsonl jumps from event {chain[i - 1].Sequence} to {chain[i].Sequence}: events were removed from the covered range");
            }
            else if (chain[i].PreviousHash != chain[i - 1].Hash)
            {
                altered.Add($"event {chain[i].Sequence} does not link to event {chain[i - 1].Sequence}: the chain is broken");
            }
        }

        var bySequence = chain.GroupBy(l => l.Sequence).ToDictionary(g => g.Key, g => g.First());
        foreach (var e in events)
        {
            if (!bySequence.TryGetValue(e.Sequence, out var link) || link.Hash != e.Hash || link.PreviousHash != e.PreviousHash)
            {
                altered.Add($"event {e.Sequence} is not the event the chain holds at that place");
            }
        }

        var range = manifest.Events;
        if (range.Count != events.Count || range.Digest != AuditManifest.Digest(events.Select(e => e.Hash)))
        {
            altered.Add($"the manifest covers {range.Count} events but events.jsonl holds {events.Count}, or their digest differs: events were removed, added or replaced");
        }

        if (range.FirstSequence != chain.FirstOrDefault()?.Sequence || range.LastSequence != chain.LastOrDefault()?.Sequence
            || range.PreviousHash != chain.FirstOrDefault()?.PreviousHash || range.LastHash != chain.LastOrDefault()?.Hash)
        {
            altered.Add("chain.jsonl does not span the range the manifest states");
        }
    }

    /// <summary>The facts the report states: the text of every element carrying a <c>data-fact</c> attribute.</summary>
    public static Dictionary<string, string> StatedFacts(string report, List<string> disagreements)
    {
        var facts = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (Match match in FactPattern().Matches(report))
        {
            var key = System.Net.WebUtility.HtmlDecode(match.Groups["key"].Value);
            var value = System.Net.WebUtility.HtmlDecode(match.Groups["value"].Value);
            if (!facts.TryAdd(key, value))
            {
                disagreements.Add($"report.html states {UntrustedText.Excerpt(key)} twice");
            }
        }

        return facts;
    }

    [GeneratedRegex("data-fact=\"(?<key>[^\"]*)\"[^>]*>(?<value>[^<]*)<", RegexOptions.CultureInvariant)]
    private static partial Regex FactPattern();

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

    private static bool SignatureValid(byte[] publicKey, byte[] data, byte[] signature)
    {
        try
        {
            return AuditSigningKey.Verify(publicKey, data, signature);
        }
        catch (CryptographicException)
        {
            return false;
        }
    }

    private static IEnumerable<string> Lines(string text) => text.Split('\n').Where(l => l.Length > 0);

    private static string FirstDifference(string actual, string expected)
    {
        var a = actual.Split('\n');
        var b = expected.Split('\n');
        for (var i = 0; i < Math.Max(a.Length, b.Length); i++)
        {
            if (i >= a.Length || i >= b.Length || a[i] != b[i])
            {
                return a.Length != b.Length ? $"it has {a.Length - 1} lines where the events give {b.Length - 1}" : $"line {(i + 1).ToString(CultureInfo.InvariantCulture)} differs";
            }
        }

        return "they differ";
    }

    /// <summary>Text read from the pack, percent-encoded for a message: nothing in it can act on a terminal.</summary>

    private static byte[]? FromBase64OrNull(string? text)
    {
        var buffer = new byte[((text?.Length ?? 0) * 3 / 4) + 3];
        return text is not null && Convert.TryFromBase64String(text, buffer, out var written) ? buffer[..written] : null;
    }

    private static string KeyIdOf(byte[] publicKey) => Convert.ToHexStringLower(SHA256.HashData(publicKey))[..16];

    /// <summary>
    /// The facts model of the events, or null (with the reason in <paramref name="altered"/>) when an altered event's
    /// fields can no longer be read: a changed byte must fail verification, never crash it.
    /// </summary>
    private static EvidenceModel? ModelOf(IReadOnlyList<AuditRecord> events, DateTimeOffset generatedAt, List<string> altered)
    {
        try
        {
            return EvidenceContent.Model(events, generatedAt);
        }
        catch (Exception exception) when (exception is JsonException or FormatException)
        {
            altered.Add($"{EvidenceContent.Events} holds an event whose fields cannot be read");
            return null;
        }
    }
}
