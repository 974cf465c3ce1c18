using System.CommandLine;
using AgentAccessBroker.Server.Audit;

namespace AgentAccessBroker.Cli.Commands;

/// <summary><c>aab audit export</c> and <c>aab audit verify</c>.</summary>
internal static class AuditCommands
{
    /// <summary>Exit codes of <c>aab audit verify</c> besides 0 (intact and signed by a trusted key).</summary>
    public static class VerifyExit
    {
        /// <summary>The export was altered, truncated, reordered or its manifest is malformed.</summary>
        public const int Tampered = 5;

        /// <summary>The export is intact, but no pinned or known key signed it.</summary>
        public const int SignerNotVerified = 6;
    }

    public static Command Create()
    {
        var from = new Option<DateTimeOffset?>("--from") { Description = "Start (inclusive, ISO-8601)" };
        var to = new Option<DateTimeOffset?>("--to") { Description = "End (exclusive, ISO-8601)" };
        var agent = new Option<string?>("--agent") { Description = "Only this agent" };
        var task = new Option<string?>("--task") { Description = "Only this task" };
        var format = new Option<string>("--format") { Description = "jsonl or csv (signed), or ocsf (OCSF events for a SIEM, unsigned)", DefaultValueFactory = _ => "jsonl" };
        format.AcceptOnlyFromAmong("jsonl", "csv", "ocsf");
        var output = new Option<string?>("--output", "-o") { Description = "File to write (default: stdout)" };
        var export = new Command("export", "Export audit events with a signed manifest.") { from, to, agent, task, format, output };
        export.SetAction(async (result, cancellationToken) =>
        {
            using var client = CliContext.Connect(result.GetValue(CommonOptions.Server), result.GetValue(CommonOptions.Token));
            var path = result.GetValue(output);
            await using var destination = path is null ? Console.OpenStandardOutput() : File.Create(path);
            await client.ExportAuditAsync(result.GetValue(from), result.GetValue(to), result.GetValue(agent), result.GetValue(task), result.GetValue(format)!, destination, cancellationToken);
            return 0;
        });

        var file = new Argument<string>("file") { Description = "An export from 'aab audit export'" };
        var publicKey = new Option<string?>("--public-key") { Description = "PEM public key the export must be signed with (GET /v1/audit/public-key)" };
        var knownKeys = new Option<string?>("--known-keys") { Description = $"File of trusted signing keys (default: {KnownAuditKeys.DefaultPath})" };
        var pin = new Option<bool>("--pin") { Description = "Fetch the broker's signing key (--server, --token) and add it to the known keys first (trust on first use)" };
        var verify = new Command("verify", "Check an export: hashes, chain links, order, count, signature, and who signed it.") { file, publicKey, knownKeys, pin };
        verify.SetAction(async (result, cancellationToken) =>
        {
            var path = result.GetValue(file)!;
            if (!File.Exists(path))
            {
                throw new CliException($"no such file: {path}");
            }

            var known = KnownAuditKeys.Load(result.GetValue(knownKeys) ?? KnownAuditKeys.DefaultPath);
            byte[]? pinned = null;
            if (result.GetValue(publicKey) is { } pem)
            {
                pinned = KnownAuditKeys.ReadPem(File.ReadAllText(pem));
            }
            else if (result.GetValue(pin))
            {
                using var client = CliContext.Connect(result.GetValue(CommonOptions.Server), result.GetValue(CommonOptions.Token));
                var brokerKey = KnownAuditKeys.ReadPem(await client.GetAuditPublicKeyAsync(cancellationToken));
                known.Pin(brokerKey, client.BaseAddress.ToString());
                Output.Line($"Pinned the broker's audit key {AuditSigningKey.KeyIdOf(brokerKey)} in {known.Path}.");
            }

            var verification = AuditVerifier.VerifyFile(path, pinned);
            if (!verification.Valid)
            {
                foreach (var problem in verification.Problems)
                {
                    Output.Error("aab: " + problem);
                }

                return VerifyExit.Tampered;
            }

            var signer = pinned is not null ? "the pinned public key" : known.OriginOf(verification.PublicKey!) is { } origin ? $"a known key ({known.Path}{(origin.Length > 0 ? ", " + origin : string.Empty)})" : null;
            if (signer is null)
            {
                // Intact, but anyone can re-chain and re-sign an export with a key of their own: without a trusted
                // key this proves nothing about who produced it.
                Output.Styled("yellow", $"Intact: {verification.Events} events (hashes, links, order, count, signature by key {verification.KeyId}).");
                Output.Error($"aab: signer not verified: key {verification.KeyId} is neither pinned (--public-key) nor in {known.Path}; run with --pin against the broker, or pass --public-key.");
                return VerifyExit.SignerNotVerified;
            }

            Output.Styled("green", $"OK: {verification.Events} events verified (hashes, links, order, count, signature by key {verification.KeyId}, {signer}).");
            return 0;
        });

        return new Command("audit", "Export and verify the audit trail.") { export, verify };
    }
}
