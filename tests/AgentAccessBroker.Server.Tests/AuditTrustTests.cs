using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using AgentAccessBroker.Audit;
using AgentAccessBroker.Server.Audit;
using AgentAccessBroker.Testing;
using AgentAccessBroker.Testing.Broker;

namespace AgentAccessBroker.Server.Tests;

/// <summary>
/// What <c>aab audit verify</c> proves: without a trusted key, only that an export is intact (a forger can re-chain
/// and re-sign it); with a pinned or known key, who signed it. Malformed or non-canonical records are tampering.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class AuditTrustTests(PostgresFixture postgres)
{
    private const int Tampered = 5;
    private const int SignerNotVerified = 6;

    /// <summary>The exporter's own JSON shape, rebuilt here the way a forger would.</summary>
    private static readonly JsonSerializerOptions ExportJson = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    };

    [Fact]
    public async Task Verify_ForgedExportReSignedWithOwnKey_IsIntactButSignerNotVerified_AndShowsTheForgersKeyId()
    {
        await using var host = await BrokerHost.StartAsync(postgres);
        var export = await ExportAsync(host);
        var realKeyId = AuditVerifier.VerifyFile(export).KeyId;
        using var forger = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var forged = Forge(export, forger, claimKeyId: null);

        var result = AuditVerifier.VerifyFile(forged);
        var (exit, stdout, stderr) = await AabCli.RunAsync("audit", "verify", forged, "--known-keys", KnownKeysPath(host));
        var (pinnedExit, _, pinnedErr) = await AabCli.RunAsync("audit", "verify", forged, "--public-key", await PublicKeyFileAsync(host));

        Assert.True(result.Valid, string.Join("; ", result.Problems));
        Assert.False(result.SignerVerified);
        Assert.Equal(AuditSigningKey.KeyIdOf(forger.ExportSubjectPublicKeyInfo()), result.KeyId);
        Assert.NotEqual(realKeyId, result.KeyId);
        Assert.True(exit == SignerNotVerified, stdout + stderr);
        Assert.Contains("signer not verified", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain(realKeyId!, stdout + stderr, StringComparison.Ordinal);
        Assert.True(pinnedExit == Tampered, pinnedErr);
    }

    [Fact]
    public async Task Verify_ForgedManifestClaimingTheBrokersKeyId_FailsAsTampered()
    {
        await using var host = await BrokerHost.StartAsync(postgres);
        var export = await ExportAsync(host);
        var realKeyId = AuditVerifier.VerifyFile(export).KeyId!;
        using var forger = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var forged = Forge(export, forger, claimKeyId: realKeyId);

        var result = AuditVerifier.VerifyFile(forged);
        var (exit, _, stderr) = await AabCli.RunAsync("audit", "verify", forged, "--known-keys", KnownKeysPath(host));

        Assert.False(result.Valid);
        Assert.Contains(result.Problems, p => p.Contains("signed by key", StringComparison.Ordinal));
        Assert.True(exit == Tampered, stderr);
    }

    [Fact]
    public async Task Verify_RealExport_NotVerifiedUntilPinned_ThenVerifiedByKnownKey()
    {
        await using var host = await BrokerHost.StartAsync(postgres);
        var export = await ExportAsync(host);
        var known = KnownKeysPath(host);
        var token = (await File.ReadAllTextAsync(Path.Combine(host.DataDirectory, "admin.token"))).Trim();

        var before = await AabCli.RunAsync("audit", "verify", export, "--known-keys", known);
        var pinned = await AabCli.RunAsync("audit", "verify", export, "--known-keys", known, "--pin", "--server", host.Address.ToString(), "--token", token);
        var after = await AabCli.RunAsync("audit", "verify", export, "--known-keys", known);
        var withKey = await AabCli.RunAsync("audit", "verify", export, "--public-key", await PublicKeyFileAsync(host));

        Assert.True(before.Exit == SignerNotVerified, before.Stdout + before.Stderr);
        Assert.True(pinned.Exit == 0, pinned.Stdout + pinned.Stderr);
        Assert.True(after.Exit == 0, after.Stdout + after.Stderr);
        Assert.Contains("known key", after.Stdout, StringComparison.Ordinal);
        Assert.True(withKey.Exit == 0, withKey.Stdout + withKey.Stderr);
        Assert.Contains(AuditVerifier.VerifyFile(export).KeyId!, withKey.Stdout, StringComparison.Ordinal);
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(known));
        }
    }

    [Theory]
    [InlineData("extra key")]
    [InlineData("duplicate key")]
    [InlineData("case-variant key")]
    [InlineData("reordered keys")]
    [InlineData("extra space")]
    public async Task Verify_EventLineNotCanonical_Fails(string edit)
    {
        await using var host = await BrokerHost.StartAsync(postgres);
        var export = await ExportAsync(host);
        var lines = await File.ReadAllLinesAsync(export);
        var line = lines[1];
        lines[1] = edit switch
        {
            "extra key" => line[..^1] + ",\"approved_by\":\"ceo\"}",
            "duplicate key" => line[..^1] + ",\"actor\":\"someone-else\"}",
            "case-variant key" => line[..^1] + ",\"Actor\":\"someone-else\"}",
            "reordered keys" => Reorder(line),
            _ => line.Replace("\":", "\": ", StringComparison.Ordinal),
        };
        var edited = export + ".edited";
        await File.WriteAllLinesAsync(edited, lines);

        var result = AuditVerifier.VerifyFile(edited);

        Assert.False(result.Valid, edit);
    }

    [Theory]
    [InlineData("signature not base64")]
    [InlineData("public key not base64")]
    [InlineData("public key not a key")]
    [InlineData("manifest not json")]
    [InlineData("manifest json null")]
    [InlineData("trailer truncated")]
    [InlineData("trailer wrong type")]
    public async Task Verify_MalformedTrailer_ReportsTamperingWithExit5(string damage)
    {
        await using var host = await BrokerHost.StartAsync(postgres);
        var export = await ExportAsync(host);
        var lines = await File.ReadAllLinesAsync(export);
        var trailer = JsonNode.Parse(lines[^1])!.AsObject();
        switch (damage)
        {
            case "signature not base64": trailer["signature"] = "%%%"; break;
            case "public key not base64": trailer["public_key"] = "%%%"; break;
            case "public key not a key": trailer["public_key"] = Convert.ToBase64String(new byte[40]); break;
            case "manifest not json": trailer["manifest_json"] = "{not json"; break;
            case "manifest json null": trailer["manifest_json"] = "null"; break;
            case "trailer wrong type": trailer["type"] = "something.else"; break;
        }

        lines[^1] = damage == "trailer truncated" ? lines[^1][..(lines[^1].Length / 2)] : trailer.ToJsonString();
        var damaged = export + ".damaged";
        await File.WriteAllLinesAsync(damaged, lines);

        var result = AuditVerifier.VerifyFile(damaged);
        var (exit, stdout, stderr) = await AabCli.RunAsync("audit", "verify", damaged, "--known-keys", KnownKeysPath(host));

        Assert.False(result.Valid);
        Assert.True(exit == Tampered, $"{damage}: exit {exit}: {stdout}{stderr}");
        Assert.DoesNotContain("unexpected failure", stderr, StringComparison.Ordinal);
    }

    private static string KnownKeysPath(BrokerHost host) => Path.Combine(host.DataDirectory, "known-audit-keys");

    private static async Task<string> PublicKeyFileAsync(BrokerHost host)
    {
        var path = Path.Combine(host.DataDirectory, "audit.pem");
        using var http = new HttpClient { BaseAddress = host.Address };
        http.DefaultRequestHeaders.Authorization = new("Bearer", (await File.ReadAllTextAsync(Path.Combine(host.DataDirectory, "admin.token"))).Trim());
        await File.WriteAllTextAsync(path, await http.GetStringAsync("v1/audit/public-key"));
        return path;
    }

    private static async Task<string> ExportAsync(BrokerHost host)
    {
        var (agent, task) = await host.AgentWithTaskAsync("agent-a");
        await agent.SubmitRequestAsync(host.ReadInvoices(), CancellationToken.None);
        await host.Admin.CompleteTaskAsync(task.Task.Id, CancellationToken.None);
        var path = Path.Combine(host.DataDirectory, "export.jsonl");
        await using var file = File.Create(path);
        await host.Admin.ExportAuditAsync(null, null, null, null, "jsonl", file, CancellationToken.None);
        return path;
    }

    /// <summary>
    /// What a forger with the export but not the broker's key does: rewrites the first event's actor, re-chains every
    /// hash after it, and signs a fresh manifest with a key of their own.
    /// </summary>
    private static string Forge(string export, ECDsa forger, string? claimKeyId)
    {
        var lines = File.ReadAllLines(export);
        var records = lines[..^1].Select(l => JsonSerializer.Deserialize<AuditRecord>(l, ExportJson)!).ToList();
        var previous = records[0].PreviousHash;
        for (var i = 0; i < records.Count; i++)
        {
            var r = records[i] with { PreviousHash = previous, Actor = i == 0 ? "nobody" : records[i].Actor };
            var at = DateTimeOffset.ParseExact(r.Timestamp, AuditRecord.TimestampFormat, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal | System.Globalization.DateTimeStyles.AdjustToUniversal);
            r = r with { Hash = AuditChain.ComputeHash(r.PreviousHash, r.Sequence, at, r.Type, r.Actor, r.AgentId, r.TaskId, r.RequestId, r.LeaseId, r.Data) };
            records[i] = r;
            previous = r.Hash;
        }

        var publicKey = forger.ExportSubjectPublicKeyInfo();
        var original = JsonSerializer.Deserialize<AuditManifest>(JsonNode.Parse(lines[^1])!["manifest_json"]!.GetValue<string>(), ExportJson)!;
        var manifest = original with { EventsDigest = AuditManifest.Digest(records.Select(r => r.Hash)), KeyId = claimKeyId ?? AuditSigningKey.KeyIdOf(publicKey) };
        var manifestJson = JsonSerializer.Serialize(manifest, ExportJson);
        var trailer = new JsonObject
        {
            ["type"] = AuditManifest.RecordType,
            ["manifest_json"] = manifestJson,
            ["signature"] = Convert.ToBase64String(forger.SignData(Encoding.UTF8.GetBytes(manifestJson), HashAlgorithmName.SHA256)),
            ["public_key"] = Convert.ToBase64String(publicKey),
        };
        var path = export + ".forged";
        File.WriteAllLines(path, [.. records.Select(r => JsonSerializer.Serialize(r, ExportJson)), JsonSerializer.Serialize(trailer, ExportJson)]);
        return path;
    }

    private static string Reorder(string line)
    {
        var node = JsonNode.Parse(line)!.AsObject();
        var reordered = new JsonObject();
        foreach (var (key, value) in node.Reverse().ToList())
        {
            node.Remove(key);
            reordered[key] = value;
        }

        return JsonSerializer.Serialize(reordered, ExportJson);
    }
}
