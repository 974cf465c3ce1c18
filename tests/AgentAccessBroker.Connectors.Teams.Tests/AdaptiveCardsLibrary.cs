using System.Diagnostics;
using System.Text.Json.Nodes;

namespace AgentAccessBroker.Connectors.Teams.Tests;

/// <summary>
/// Microsoft's own Adaptive Cards library (npm <c>adaptivecards</c>, installed by <c>.ci/run</c> into
/// <c>.ci/node/node_modules</c>) run under node: parses each card for the version it declares and reports every parse
/// event and validation failure.
/// </summary>
internal static class AdaptiveCardsLibrary
{
    private const string Script = """
        const path = require('path');
        const fs = require('fs');
        const AC = require(path.join(process.argv[2], 'adaptivecards', 'dist', 'adaptivecards.js'));
        const cards = JSON.parse(fs.readFileSync(process.argv[3], 'utf8'));
        const out = [];
        for (const [name, json] of Object.entries(cards)) {
          const card = new AC.AdaptiveCard();
          const ctx = new AC.SerializationContext();
          const version = AC.Version.parse(json.version, ctx);
          ctx.targetVersion = version;
          card.parse(json, ctx);
          const problems = [];
          for (let i = 0; i < ctx.eventCount; i++) {
            const e = ctx.getEventAt(i);
            problems.push('parse: ' + e.message);
          }
          for (const e of card.validateProperties().validationEvents) {
            problems.push('validate: ' + e.message);
          }
          out.push({ name, problems, reserialized: card.toJSON(ctx) ? true : false });
        }
        console.log(JSON.stringify(out));
        """;

    public static async Task<IReadOnlyDictionary<string, IReadOnlyList<string>>> CheckAsync(IReadOnlyDictionary<string, JsonObject> cards)
    {
        var modules = Path.Combine(RepositoryRoot(), ".ci", "node", "node_modules");
        if (!File.Exists(Path.Combine(modules, "adaptivecards", "dist", "adaptivecards.js")))
        {
            await RunAsync("npm", $"install --no-audit --no-fund --prefix \"{Path.GetDirectoryName(modules)}\"");
        }

        var directory = Directory.CreateTempSubdirectory("aab-cards-");
        try
        {
            var script = Path.Combine(directory.FullName, "check.js");
            var input = Path.Combine(directory.FullName, "cards.json");
            await File.WriteAllTextAsync(script, Script);
            var all = new JsonObject();
            foreach (var (name, card) in cards)
            {
                all[name] = card.DeepClone();
            }

            await File.WriteAllTextAsync(input, all.ToJsonString());
            var output = await RunAsync("node", $"\"{script}\" \"{modules}\" \"{input}\"");
            var results = JsonNode.Parse(output)!.AsArray();
            return results.ToDictionary(
                r => r!["name"]!.GetValue<string>(),
                r => (IReadOnlyList<string>)r!["problems"]!.AsArray().Select(p => p!.GetValue<string>()).ToList());
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    private static async Task<string> RunAsync(string file, string arguments)
    {
        var start = new ProcessStartInfo(file, arguments) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {file}");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return process.ExitCode == 0
            ? await output
            : throw new InvalidOperationException($"{file} failed ({process.ExitCode}): {await output}{await error}");
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "AgentAccessBroker.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("AgentAccessBroker.sln not found above " + AppContext.BaseDirectory);
    }
}
