using System.Diagnostics;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using AgentAccessBroker.Server.Evidence;

namespace AgentAccessBroker.Server.Tests;

public sealed class EvidencePackTests
{
    private static readonly string[] PackFiles =
        ["report.html", "grants.jsonl", "decisions.jsonl", "exceptions.jsonl", "controls.md", "events.jsonl", "chain.jsonl", "manifest.json", "signature.json"];

    [Fact]
    public async Task Build_TaskWithGrantsApprovalDenialLockAndFailedRevocation_EveryFigureMatchesWhatHappened()
    {
        await using var s = await EvidenceScenario.RunAsync();
        var facts = EvidenceVerifier.StatedFacts(s.Pack.Text("report.html"), []);

        Assert.Equal(PackFiles.Order(), Directory.GetFiles(s.PackDirectory).Select(Path.GetFileName).Order());
        // Every figure the report states, each as the scenario made it happen.
        var expected = new Dictionary<string, string>
        {
            ["tasks"] = "1",
            ["requests"] = "6",                           // 2 automatic, 1 approved, 1 denied by bob, 1 by policy, 1 withdrawn by the lock
            ["grants_automatic"] = "2",
            ["grants_human"] = "1",
            ["denials"] = "2",
            ["denials_by_policy"] = "1",
            ["denials_by_approver"] = "1",
            ["approvals_expired"] = "0",
            ["requests_withdrawn"] = "1",                 // the request waiting when the task was locked
            ["claims_refused"] = "0",
            ["leases_minted"] = "3",
            ["leases_revoked_verified"] = "3",
            ["leases_live"] = "0",
            ["task_end_to_revocation_count"] = "3",       // all three were live at the lock; the task ended 3 minutes later
            ["task_end_to_revocation_median_s"] = "0.000", // two revoked at the lock
            ["task_end_to_revocation_p99_s"] = "5.000",    // one after the first backoff
            ["leases_past_end"] = "0",
            ["revocation_failures"] = "1",
            ["revocation_failures_resolved"] = "1",
            ["revocation_failures_unresolved"] = "0",
            ["mint_failures"] = "0",
            ["self_approvals_blocked"] = "0",
            ["self_approvals"] = "0",
            ["access_changes"] = "2",                     // lock.created and lock.lifted
        };
        Assert.Equal(expected.OrderBy(f => f.Key, StringComparer.Ordinal),
            facts.Where(f => f.Key.StartsWith("figure.", StringComparison.Ordinal)).Select(f => KeyValuePair.Create(f.Key["figure.".Length..], f.Value)).OrderBy(f => f.Key, StringComparer.Ordinal));
        Assert.Equal(EvidenceModel.Time(s.LockedAt + Brokering.LeaseRevoker.FirstBackoff), facts[$"lease.{s.FailedLeaseId}.verified_at"]);
        Assert.Equal("no", facts[$"lease.{s.FailedLeaseId}.past_end"]);
        Assert.Equal("withdrawn", facts[$"request.{s.WithdrawnRequestId}.outcome"]);

        var grants = Lines(s.Pack.Text("grants.jsonl"));
        var decisions = Lines(s.Pack.Text("decisions.jsonl"));
        var exceptions = Lines(s.Pack.Text("exceptions.jsonl"));
        Assert.Equal(3, grants.Count);
        Assert.Equal(6, decisions.Count);
        var approved = Assert.Single(decisions, d => d.GetProperty("outcome").GetString() == "granted_by_approval");
        var bobVote = Assert.Single(approved.GetProperty("votes").EnumerateArray(), v => v.GetProperty("approver").GetString() == "bob");
        Assert.Equal("slack", bobVote.GetProperty("channel").GetString());
        Assert.Equal("U0BOB", bobVote.GetProperty("channel_identity").GetString());
        Assert.Contains(approved.GetProperty("votes").EnumerateArray(), v => v.GetProperty("approver").GetString() == "mallory" && v.GetProperty("rejection").GetString() == "not_an_approver");
        var failure = Assert.Single(exceptions, x => x.GetProperty("kind").GetString() == "revocation_failure");
        Assert.Equal(s.FailedLeaseId, failure.GetProperty("lease_id").GetString());
        Assert.StartsWith("retried with backoff; revoked and verified after 2 attempts", failure.GetProperty("resolution").GetString(), StringComparison.Ordinal);
        Assert.Contains(exceptions, x => x.GetProperty("kind").GetString() == "vote_rejected");
        var failedGrant = Assert.Single(grants, g => g.GetProperty("lease_id").GetString() == s.FailedLeaseId);
        Assert.Equal(1, failedGrant.GetProperty("revocation_failures").GetInt32());
        Assert.Equal("checked the box's live handles", failedGrant.GetProperty("verification").GetString());

        Assert.Contains($"<td><code>lock.created</code></td><td>admin</td><td>task {s.TaskId}: {EvidenceScenario.LockReason}</td>", s.Pack.Text("report.html"), StringComparison.Ordinal);

        var controls = s.Pack.Text("controls.md");
        foreach (var control in new[] { "CC6.1", "CC6.2", "CC6.3", "CC7.2", "A.5.15", "A.5.18", "A.8.2", "A.8.15" })
        {
            Assert.Contains(control, controls, StringComparison.Ordinal);
        }

        Assert.Contains("not a SOC 2 report or an ISO/IEC 27001 certificate", controls, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Build_PeriodCoveringTheTask_HoldsTheTaskAndThePrincipalChangesAndVerifies()
    {
        await using var s = await EvidenceScenario.RunAsync();
        var writer = new EvidencePackWriter(s.Flow.Store, s.Key, s.Flow.Clock);
        var from = s.Flow.Clock.GetUtcNow() - TimeSpan.FromHours(1);
        var to = s.Flow.Clock.GetUtcNow() + TimeSpan.FromSeconds(1);

        var period = await writer.BuildAsync(EvidenceScope.ForPeriod(from, to), CancellationToken.None);
        var otherAgent = await writer.BuildAsync(EvidenceScope.ForPeriod(from, to, "agent-b"), CancellationToken.None);
        var directory = Path.Combine(Path.GetDirectoryName(s.PackDirectory)!, "period");
        period.WriteTo(directory);

        var facts = EvidenceVerifier.StatedFacts(period.Text("report.html"), []);
        Assert.Equal("1", facts["figure.tasks"]);
        Assert.Equal("6", facts["figure.requests"]);
        Assert.Equal("5", facts["figure.access_changes"]); // agent-a, admin and bob registered; the lock made and lifted
        Assert.Equal("0", EvidenceVerifier.StatedFacts(otherAgent.Text("report.html"), [])["figure.tasks"]);
        Assert.True(EvidenceVerifier.VerifyDirectory(directory, s.Key.PublicKey).Valid);
        Assert.Throws<Brokering.BrokerError>(() => new EvidenceScope(null, from, null, null).Validated());
    }

    [Fact]
    public async Task Build_HostilePurpose_ReachesTheReportOnlyAsSanitisedEncodedText()
    {
        await using var s = await EvidenceScenario.RunAsync();
        var report = s.Pack.Text("report.html");

        Assert.DoesNotContain("<script", report, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<img", report, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("&lt;script&gt;", report, StringComparison.Ordinal);
        Assert.Contains("&lt;img src=&quot;https://evil.example/p.png&quot;&gt;", report, StringComparison.Ordinal);
        Assert.DoesNotMatch(new Regex("<[^>]*\\b(src|href|srcset|action|data)\\s*=|url\\(|@import", RegexOptions.IgnoreCase), report);
        // Through the one sanitiser: the escape sequence shows as control pictures, the bidi override is gone.
        // (HTML-encoded after that: the control picture U+241B as a character reference).
        Assert.Contains("tidy every box, everything &#x241B;[2Jtxt.exe", report, StringComparison.Ordinal);
        Assert.DoesNotContain("&#x1B;", report, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("&#x202E;", report, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain('\u001b', report);
        Assert.DoesNotContain('\u202E', report);
    }

    [Fact]
    public async Task Build_EveryFile_HoldsNoTokenOrCredential()
    {
        await using var s = await EvidenceScenario.RunAsync();

        Assert.True(s.Secrets.Count >= 7, "the scenario hands out four tokens and three credentials");
        foreach (var (name, content) in s.Pack.Files)
        {
            var text = Encoding.UTF8.GetString(content);
            foreach (var secret in s.Secrets)
            {
                Assert.False(text.Contains(secret, StringComparison.Ordinal), $"{name} contains a secret of the test");
            }

            Assert.DoesNotContain("s3cr3t", text, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Verify_UntouchedPack_Passes()
    {
        await using var s = await EvidenceScenario.RunAsync();

        var verification = EvidenceVerifier.VerifyDirectory(s.PackDirectory, s.Key.PublicKey);

        Assert.Empty(verification.Altered);
        Assert.Empty(verification.Disagreements);
        Assert.True(verification.Valid);
        Assert.True(verification.Facts > 30);
        Assert.True(verification.Events > 20);
    }

    [Fact]
    public async Task Verify_AnyByteOfAnyFileChanged_Fails()
    {
        await using var s = await EvidenceScenario.RunAsync();

        foreach (var name in PackFiles)
        {
            var path = Path.Combine(s.PackDirectory, name);
            var original = File.ReadAllBytes(path);
            foreach (var offset in new[] { 0, original.Length / 2, original.Length - 2 })
            {
                var changed = (byte[])original.Clone();
                changed[offset] ^= 0x01;
                File.WriteAllBytes(path, changed);

                var verification = EvidenceVerifier.VerifyDirectory(s.PackDirectory, s.Key.PublicKey);

                Assert.False(verification.Valid, $"{name} changed at byte {offset} still verifies");
                Assert.NotEmpty(verification.Altered);
            }

            File.WriteAllBytes(path, original);
        }

        Assert.True(EvidenceVerifier.VerifyDirectory(s.PackDirectory, s.Key.PublicKey).Valid);
    }

    [Fact]
    public async Task Verify_GrantRemovedFromGrantsJsonl_Fails()
    {
        await using var s = await EvidenceScenario.RunAsync();
        var path = Path.Combine(s.PackDirectory, "grants.jsonl");
        File.WriteAllLines(path, File.ReadAllLines(path).Skip(1));

        var verification = EvidenceVerifier.VerifyDirectory(s.PackDirectory, s.Key.PublicKey);

        Assert.False(verification.Valid);
        Assert.Contains(verification.Altered, p => p.StartsWith("grants.jsonl was changed", StringComparison.Ordinal));
        Assert.Contains(verification.Disagreements, p => p.StartsWith("grants.jsonl disagrees with the events", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Verify_FigureEditedInReport_Fails()
    {
        await using var s = await EvidenceScenario.RunAsync();
        EditReport(s, "data-fact=\"figure.self_approvals\">0<", "data-fact=\"figure.self_approvals\">1<");

        var verification = EvidenceVerifier.VerifyDirectory(s.PackDirectory, s.Key.PublicKey);

        Assert.False(verification.Valid);
        Assert.Contains(verification.Altered, p => p.StartsWith("report.html was changed", StringComparison.Ordinal));
        Assert.Contains("report.html states figure.self_approvals = 1 but the events give 0", verification.Disagreements);
    }

    [Fact]
    public async Task Verify_FigureEditedAndPackResigned_FailsBecauseTheEventsDisagree()
    {
        // A signer that lies: the report says one grant was approved by a person when the events say two were automatic.
        await using var s = await EvidenceScenario.RunAsync();
        EditReport(s, "data-fact=\"figure.grants_automatic\">2<", "data-fact=\"figure.grants_automatic\">3<");
        Resign(s);

        var verification = EvidenceVerifier.VerifyDirectory(s.PackDirectory, s.Key.PublicKey);

        Assert.Empty(verification.Altered);
        Assert.True(verification.SignerVerified);
        Assert.False(verification.Valid);
        Assert.Equal(["report.html states figure.grants_automatic = 3 but the events give 2"], verification.Disagreements);
    }

    [Fact]
    public async Task Verify_OtherKeyPinned_Fails()
    {
        await using var s = await EvidenceScenario.RunAsync();
        using var other = System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP256);

        var verification = EvidenceVerifier.VerifyDirectory(s.PackDirectory, other.ExportSubjectPublicKeyInfo());

        Assert.False(verification.Valid);
        Assert.Contains(verification.Altered, p => p.Contains("not by the pinned public key", StringComparison.Ordinal));
    }

    [Fact]
    public async Task VerifyCommand_IntactAlteredResignedAndUnpinned_ExitsWithDistinctCodes()
    {
        await using var s = await EvidenceScenario.RunAsync();
        var pem = Path.Combine(Path.GetDirectoryName(s.PackDirectory)!, "broker.pem");
        File.WriteAllText(pem, s.Key.PublicKeyPem);

        var ok = await AabCli.RunAsync("evidence", "verify", s.PackDirectory, "--public-key", pem);
        var unpinned = await AabCli.RunAsync("evidence", "verify", s.PackDirectory);
        EditReport(s, "data-fact=\"figure.denials\">2<", "data-fact=\"figure.denials\">0<");
        var altered = await AabCli.RunAsync("evidence", "verify", s.PackDirectory, "--public-key", pem);
        Resign(s);
        var disagrees = await AabCli.RunAsync("evidence", "verify", s.PackDirectory, "--public-key", pem);

        Assert.True(ok.Exit == 0, ok.Stderr);
        Assert.Contains("OK:", ok.Stdout, StringComparison.Ordinal);
        Assert.Equal(6, unpinned.Exit);
        Assert.Equal(5, altered.Exit);
        Assert.Contains("report.html was changed", altered.Stderr, StringComparison.Ordinal);
        Assert.Equal(7, disagrees.Exit);
        Assert.Contains("figure.denials = 0 but the events give 2", disagrees.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Report_InHeadlessChromium_RendersWithoutAnyNetworkRequest()
    {
        Assert.True(File.Exists(Chromium), "Debian's chromium is needed (.ci/run installs it)");
        await using var s = await EvidenceScenario.RunAsync();
        var screenshot = Path.Combine(AppContext.BaseDirectory, "evidence-report.png");
        var control = Path.Combine(Path.GetDirectoryName(s.PackDirectory)!, "control.html");
        File.WriteAllText(control, "<!DOCTYPE html><html><body><p>control</p><img src=\"http://127.0.0.1:9/pixel.png\"></body></html>");

        var controlRequests = await RenderAsync(control, Path.Combine(Path.GetDirectoryName(s.PackDirectory)!, "control.png"));
        var reportRequests = await RenderAsync(Path.Combine(s.PackDirectory, "report.html"), screenshot);

        // The check sees a page's own request (the control's image), so its silence on the report means something.
        Assert.Contains("http://127.0.0.1:9/pixel.png", controlRequests);
        Assert.Empty(reportRequests);
        var png = File.ReadAllBytes(screenshot);
        Assert.Equal(new byte[] { 0x89, 0x50, 0x4E, 0x47 }, png[..4]);
        Assert.True(png.Length > 20_000, $"the screenshot is only {png.Length} bytes: the page did not render");
    }

    private const string Chromium = "/usr/bin/chromium";

    /// <summary>
    /// Renders a page in headless Chromium to a screenshot and returns the URLs of every request a page initiated, read
    /// from Chromium's network log (the browser's own background requests carry no page origin and are left out).
    /// </summary>
    private static async Task<List<string>> RenderAsync(string page, string screenshot)
    {
        var work = Directory.CreateTempSubdirectory("aab-chromium-").FullName;
        var netLog = Path.Combine(work, "net-log.json");
        File.Delete(screenshot);
        var start = new ProcessStartInfo(Chromium) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in new[]
        {
            "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--no-first-run", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--disable-default-apps", $"--user-data-dir={Path.Combine(work, "profile")}",
            $"--log-net-log={netLog}", "--window-size=1280,2000", $"--screenshot={screenshot}", new Uri(page).AbsoluteUri,
        })
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        _ = process.StandardOutput.ReadToEndAsync();
        using (var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3)))
        {
            await process.WaitForExitAsync(timeout.Token);
        }

        Assert.True(File.Exists(screenshot), "no screenshot: " + await stderr);
        using var log = JsonDocument.Parse(File.ReadAllText(netLog));
        var requests = log.RootElement.GetProperty("events").EnumerateArray()
            .Where(e => e.TryGetProperty("params", out var p) && p.ValueKind == JsonValueKind.Object && p.TryGetProperty("initiator", out var i) && i.GetString() != "not an origin" && p.TryGetProperty("url", out _))
            .Select(e => e.GetProperty("params").GetProperty("url").GetString()!)
            .Distinct()
            .ToList();
        Directory.Delete(work, recursive: true);
        return requests;
    }

    private static List<JsonElement> Lines(string jsonl) =>
        [.. jsonl.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement)];

    private static void EditReport(EvidenceScenario s, string from, string to)
    {
        var path = Path.Combine(s.PackDirectory, "report.html");
        var report = File.ReadAllText(path);
        Assert.Contains(from, report, StringComparison.Ordinal);
        File.WriteAllText(path, report.Replace(from, to, StringComparison.Ordinal));
    }

    /// <summary>Rewrites the manifest with the files' current hashes and signs it again with the broker's own key.</summary>
    private static void Resign(EvidenceScenario s)
    {
        var manifestPath = Path.Combine(s.PackDirectory, EvidenceManifest.FileName);
        var manifest = EvidenceManifest.Read(File.ReadAllBytes(manifestPath))!;
        var files = manifest.Files.Select(f =>
        {
            var bytes = File.ReadAllBytes(Path.Combine(s.PackDirectory, f.Name));
            return f with { Sha256 = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(bytes)), Bytes = bytes.LongLength };
        }).ToList();
        var bytes = (manifest with { Files = files }).ToBytes();
        File.WriteAllBytes(manifestPath, bytes);
        File.WriteAllBytes(Path.Combine(s.PackDirectory, EvidenceManifest.SignatureFileName), EvidenceSignature.Sign(bytes, s.Key).ToBytes());
    }
}
