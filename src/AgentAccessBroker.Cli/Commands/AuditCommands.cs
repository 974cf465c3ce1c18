using System.CommandLine;
using AgentAccessBroker.Server.Audit;

namespace AgentAccessBroker.Cli.Commands;

/// <summary><c>aab audit export</c> and <c>aab audit verify</c>.</summary>
internal static class AuditCommands
{
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
        var verify = new Command("verify", "Check an export: hashes, chain links, order, count and signature.") { file, publicKey };
        verify.SetAction(result =>
        {
            var path = result.GetValue(file)!;
            if (!File.Exists(path))
            {
                throw new CliException($"no such file: {path}");
            }

            byte[]? pinned = null;
            if (result.GetValue(publicKey) is { } pem)
            {
                using var key = System.Security.Cryptography.ECDsa.Create();
                key.ImportFromPem(File.ReadAllText(pem));
                pinned = key.ExportSubjectPublicKeyInfo();
            }

            var verification = AuditVerifier.VerifyFile(path, pinned);
            if (verification.Valid)
            {
                Output.Styled("green", $"OK: {verification.Events} events verified (hashes, links, order, count, signature by key {verification.KeyId}).");
                return 0;
            }

            foreach (var problem in verification.Problems)
            {
                Console.Error.WriteLine("aab: " + problem);
            }

            return 5;
        });

        return new Command("audit", "Export and verify the audit trail.") { export, verify };
    }
}
