using System.CommandLine;

namespace AgentAccessBroker.Cli;

/// <summary>Options every client command shares.</summary>
internal static class CommonOptions
{
    public static readonly Option<string?> Server = new("--server") { Description = "Broker URL (default: AAB_SERVER or http://127.0.0.1:8470)", Recursive = true };

    public static readonly Option<string?> Token = new("--token") { Description = "Bearer token (default: AAB_TOKEN, else .aab/admin.token)", Recursive = true };
}
