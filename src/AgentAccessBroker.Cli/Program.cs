using System.CommandLine;
using AgentAccessBroker.Cli;
using AgentAccessBroker.Cli.Commands;

var root = new RootCommand("aab — AgentAccessBroker: just-in-time, task-scoped credentials for AI agents.")
{
    CommonOptions.Server,
    CommonOptions.Token,
    ServeCommand.Create(),
    DemoCommand.Create(),
    PolicyCommands.Create(),
    PrincipalCommands.CreateAgent(),
    PrincipalCommands.CreateUser(),
    TaskCommands.Create(),
    LifecycleCommands.CreateToken(),
    LifecycleCommands.CreateLock(),
    LifecycleCommands.CreateLocks(),
    LifecycleCommands.CreateUnlock(),
    RequestCommands.CreateRequest(),
    RequestCommands.CreateClaim(),
    RequestCommands.CreateRequests(),
    RequestCommands.CreateVote(approve: true),
    RequestCommands.CreateVote(approve: false),
    LeaseCommands.CreateList(),
    LeaseCommands.CreateRelease(),
    TargetCommands.Create(),
    AuditCommands.Create(),
    EvidenceCommands.Create(),
    McpCommand.Create(),
    ConsoleCommand.Create(),
    SimulateCommand.Create(),
};

return await CliRunner.RunAsync(root, args);
