using System.CommandLine;
using AgentAccessBroker.Credentials;
using AgentAccessBroker.Policy;
using AgentAccessBroker.Server.Hosting;

namespace AgentAccessBroker.Cli.Commands;

/// <summary><c>aab policy check FILE</c>: reports every problem with file:line:column.</summary>
internal static class PolicyCommands
{
    public static Command Create()
    {
        var file = new Argument<string>("file") { Description = "Policy file (YAML)" };
        var check = new Command("check", "Validate a policy file and report every problem.") { file };
        check.SetAction(result =>
        {
            var path = result.GetValue(file)!;
            if (!File.Exists(path))
            {
                throw new CliException($"no such file: {path}");
            }

            var loaded = PolicyLoader.LoadFile(path, PolicyLoader.ValidatorFor(BrokerConnectorCatalog.Registry()));
            foreach (var problem in loaded.Problems)
            {
                Console.Error.WriteLine(problem.ToString());
            }

            // Deprecated keys still load; say how to rewrite them, without failing the check.
            foreach (var notice in loaded.Notices)
            {
                Console.Error.WriteLine(notice.ToString());
            }

            if (loaded.Policy is null)
            {
                Console.Error.WriteLine($"aab: {loaded.Problems.Count} problem(s) in {path}");
                return 1;
            }

            Output.Styled("green", $"OK: {path} (version {loaded.Policy.Version}): {loaded.Policy.Targets.Count} targets, {loaded.Policy.Agents.Count} agents, {loaded.Policy.ApproverGroups.Count} approver groups, {loaded.Policy.Rules.Count} rules.");
            return 0;
        });
        return new Command("policy", "Policy as code.") { check };
    }
}
