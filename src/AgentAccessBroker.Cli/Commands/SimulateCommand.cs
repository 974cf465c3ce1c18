using System.CommandLine;
using AgentAccessBroker.IntentAnalysis.Simulation;
using AgentAccessBroker.Policy;
using AgentAccessBroker.Server.Hosting;

namespace AgentAccessBroker.Cli.Commands;

/// <summary>
/// <c>aab simulate [--policy FILE] [--expect] [--brief] SCENARIOS...</c>: replays recorded scenarios from any number of
/// files or folders through the intent analyzer in one process and prints every decision with its reasons; with
/// <c>--expect</c>, the confusion matrix, a table per category (and per file), and every disagreement with its top
/// factors. Without <c>--policy</c> each file is judged under the one policy file (<c>*.yaml</c>) in its own folder, or,
/// when the folder holds several, under the one named like it (<c>x-scenarios.jsonl</c> under <c>x-policy.yaml</c>).
/// </summary>
internal static class SimulateCommand
{
    public static Command Create()
    {
        var policy = new Option<string?>("--policy") { Description = "Policy file every scenario is judged under (default: the one *.yaml next to each scenario file, or x-policy.yaml for x-scenarios.jsonl)" };
        var scenarios = new Argument<string[]>("scenarios")
        {
            Description = "Scenario files (one JSON object per line, format: docs/DECISIONS.md) or folders of *.jsonl files",
            Arity = ArgumentArity.OneOrMore,
        };
        var expect = new Option<bool>("--expect") { Description = "Compare decisions with the scenarios' labels; exit 1 when the required results are not met" };
        var brief = new Option<bool>("--brief") { Description = "Print only the summary (matrix, tables, disagreements), not every decision" };
        var command = new Command("simulate", "Replay labelled scenarios through the intent analyzer.") { policy, scenarios, expect, brief };
        command.SetAction(result =>
        {
            var policyPath = result.GetValue(policy);
            var files = ScenarioFiles(result.GetValue(scenarios)!);
            var policies = new Dictionary<string, BrokerPolicy>(StringComparer.Ordinal);
            var sources = new List<ScenarioSource>(files.Count);
            foreach (var file in files)
            {
                var path = policyPath ?? PolicyNextTo(file);
                if (!policies.TryGetValue(path, out var loaded))
                {
                    loaded = LoadPolicy(path);
                    policies[path] = loaded;
                }

                sources.Add(new ScenarioSource(file, loaded, File.ReadLines(file)));
            }

            var report = ScenarioSimulator.Run(sources, BrokerConnectorCatalog.Vocabularies(), result.GetValue(expect));
            Console.Out.Write(report.ToText(everyDecision: !result.GetValue(brief)));
            return report.ExpectationsChecked && !report.Passed || report.Problems.Count > 0 ? 1 : 0;
        });
        return command;
    }

    private static List<string> ScenarioFiles(string[] paths)
    {
        var files = new List<string>();
        foreach (var path in paths)
        {
            if (Directory.Exists(path))
            {
                var inFolder = Directory.GetFiles(path, "*.jsonl").Order(StringComparer.Ordinal).ToList();
                if (inFolder.Count == 0)
                {
                    throw new CliException($"no *.jsonl files in {path}");
                }

                files.AddRange(inFolder);
            }
            else if (File.Exists(path))
            {
                files.Add(path);
            }
            else
            {
                throw new CliException($"no such file: {path}");
            }
        }

        return files;
    }

    private static string PolicyNextTo(string scenarioFile)
    {
        var folder = Path.GetDirectoryName(Path.GetFullPath(scenarioFile))!;
        var candidates = Directory.GetFiles(folder, "*.yaml").Concat(Directory.GetFiles(folder, "*.yml")).ToList();

        // Several policies in one folder: x-scenarios.jsonl is judged under x-policy.yaml.
        var name = Path.GetFileNameWithoutExtension(scenarioFile);
        var own = name.EndsWith("-scenarios", StringComparison.Ordinal) ? name[..^"-scenarios".Length] + "-policy" : null;
        var named = own is null ? null : candidates.Where(c => string.Equals(Path.GetFileNameWithoutExtension(c), own, StringComparison.Ordinal)).ToList();
        if (candidates.Count > 1 && named is { Count: 1 })
        {
            return named[0];
        }

        return candidates.Count == 1
            ? candidates[0]
            : throw new CliException(candidates.Count == 0
                ? $"no policy file (*.yaml) next to {scenarioFile}: give one with --policy"
                : $"{candidates.Count} policy files next to {scenarioFile}: choose one with --policy");
    }

    private static BrokerPolicy LoadPolicy(string path)
    {
        if (!File.Exists(path))
        {
            throw new CliException($"no such file: {path}");
        }

        var loaded = PolicyLoader.LoadFile(path, PolicyLoader.ValidatorFor(BrokerConnectorCatalog.Registry()));
        if (loaded.Policy is null)
        {
            foreach (var problem in loaded.Problems)
            {
                Console.Error.WriteLine(problem.ToString());
            }

            throw new CliException($"{loaded.Problems.Count} problem(s) in {path}");
        }

        return loaded.Policy;
    }
}
