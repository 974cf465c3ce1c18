using System.CommandLine;
using AgentAccessBroker.Server.Evidence;

namespace AgentAccessBroker.Cli.Commands;

/// <summary><c>aab evidence</c> (download a signed evidence pack) and <c>aab evidence verify</c> (check one offline).</summary>
internal static class EvidenceCommands
{
    /// <summary>Exit codes of <c>aab evidence verify</c> besides 0 (intact, consistent, signed by the pinned key).</summary>
    public static class VerifyExit
    {
        /// <summary>A file, the manifest, the signature, the chain or an event was altered, removed or added.</summary>
        public const int Altered = 5;

        /// <summary>Intact and consistent, but no pinned public key was given, so who signed it is not checked.</summary>
        public const int SignerNotVerified = 6;

        /// <summary>The report or a population file states something its own events do not support.</summary>
        public const int Disagrees = 7;
    }

    public static Command Create()
    {
        var task = new Option<string?>("--task") { Description = "The task to report on" };
        var from = new Option<DateTimeOffset?>("--from") { Description = "Period start (inclusive, ISO-8601): every task with activity in the period" };
        var to = new Option<DateTimeOffset?>("--to") { Description = "Period end (exclusive, ISO-8601)" };
        var agent = new Option<string?>("--agent") { Description = "With a period: only this agent" };
        var output = new Option<string>("--output", "-o") { Description = "Directory to write the pack into (must not hold one already)", Required = true };
        var evidence = new Command("evidence", "Write a signed evidence pack for auditors: report.html, grants/decisions/exceptions.jsonl, controls.md, the audit events and their chain.")
        {
            task, from, to, agent, output,
        };
        evidence.SetAction(async (result, cancellationToken) =>
        {
            var directory = result.GetValue(output)!;
            if (File.Exists(Path.Combine(directory, EvidenceManifest.FileName)))
            {
                throw new CliException($"{directory} already holds an evidence pack; choose an empty directory.");
            }

            if (result.GetValue(task) is null && (result.GetValue(from) is null || result.GetValue(to) is null))
            {
                throw new CliException("give --task ID, or --from and --to (with --agent to narrow the period to one agent).");
            }

            using var client = CliContext.Connect(result.GetValue(CommonOptions.Server), result.GetValue(CommonOptions.Token));
            using var archive = new MemoryStream();
            await client.DownloadEvidenceAsync(result.GetValue(task), result.GetValue(from), result.GetValue(to), result.GetValue(agent), archive, cancellationToken);
            archive.Position = 0;
            await EvidencePack.ExtractZipAsync(archive, directory, cancellationToken);
            Output.Line($"Wrote the evidence pack to {directory}: open report.html; check it with 'aab evidence verify {directory} --public-key broker.pem'.");
            return 0;
        });

        var directoryArgument = new Argument<string>("directory") { Description = "A pack written by 'aab evidence'" };
        var publicKey = new Option<string?>("--public-key") { Description = "PEM public key the pack must be signed with (GET /v1/audit/public-key, fetched over a trusted channel)" };
        var verify = new Command("verify", "Check a pack offline: every file's hash, the signature, the event chain, and every figure recomputed from the events.") { directoryArgument, publicKey };
        verify.SetAction(result =>
        {
            var directory = result.GetValue(directoryArgument)!;
            if (!Directory.Exists(directory))
            {
                throw new CliException($"no such directory: {directory}");
            }

            byte[]? pinned = null;
            if (result.GetValue(publicKey) is { } pem)
            {
                using var key = System.Security.Cryptography.ECDsa.Create();
                key.ImportFromPem(File.ReadAllText(pem));
                pinned = key.ExportSubjectPublicKeyInfo();
            }

            var verification = EvidenceVerifier.VerifyDirectory(directory, pinned);
            foreach (var problem in verification.Altered.Concat(verification.Disagreements))
            {
                Console.Error.WriteLine("aab: " + problem);
            }

            if (verification.Altered.Count > 0)
            {
                return VerifyExit.Altered;
            }

            if (verification.Disagreements.Count > 0)
            {
                return VerifyExit.Disagrees;
            }

            var summary = $"{verification.Events} events, {verification.Facts} report facts recomputed, every file's hash and the signature by key {verification.KeyId}";
            if (!verification.SignerVerified)
            {
                Output.Styled("yellow", $"Intact and consistent: {summary}.");
                Console.Error.WriteLine($"aab: signer not verified: pass --public-key with the broker's audit key to check that key {verification.KeyId} is the broker's.");
                return VerifyExit.SignerNotVerified;
            }

            Output.Styled("green", $"OK: {summary} (the pinned key).");
            return 0;
        });
        evidence.Subcommands.Add(verify);
        return evidence;
    }
}
