using System.CommandLine;
using AgentAccessBroker.IntentAnalysis.Simulation;
using AgentAccessBroker.Policy;
using AgentAccessBroker.Server.Hosting;

namespace AgentAccessBroker.Cli.Commands;

/// <summary>
/// <c>aab simulate --policy FILE SCENARIOS.jsonl [--expect]</c>: replays recorded scenarios through the intent analyzer
/// and prints every decision with its reasons; with <c>--expect</c>, a confusion matrix and every disagreement.
/// </summary>
internal static class SimulateCommand
{
    public static Command Create()
    {
        var policy = new Option<string>("--policy") { Description = "Policy file the scenarios are judged under", Required = true };
        var scenarios = new Argument<string>("scenarios") { Description = "Scenarios, one JSON object per line (format: docs/DECISIONS.md)" };
        var expect = new Option<bool>("--expect") { Description = "Compare decisions with the scenarios' labels; exit 1 when the required results are not met" };
        var command = new Command("simulate", "Replay labelled scenarios through the intent analyzer.") { policy, scenarios, expect };
        command.SetAction(result =>
        {
            var policyPath = result.GetValue(policy)!;
            var scenarioPath = result.GetValue(scenarios)!;
            foreach (var path in new[] { policyPath, scenarioPath }.Where(p => !File.Exists(p)))
            {
                throw new CliException($"no such file: {path}");
            }

            var loaded = PolicyLoader.LoadFile(policyPath, PolicyLoader.ValidatorFor(BrokerConnectorCatalog.Registry()));
            if (loaded.Policy is null)
            {
                foreach (var problem in loaded.Problems)
                {
                    Console.Error.WriteLine(problem.ToString());
                }

                throw new CliException($"{loaded.Problems.Count} problem(s) in {policyPath}");
            }

            var report = ScenarioSimulator.Run(loaded.Policy, File.ReadLines(scenarioPath), result.GetValue(expect));
            Console.Out.Write(report.ToText());
            return report.ExpectationsChecked && !report.Passed || report.Problems.Count > 0 ? 1 : 0;
        });
        return command;
    }
}
