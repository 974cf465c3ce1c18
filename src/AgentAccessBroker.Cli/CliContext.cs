using AgentAccessBroker.Client;

namespace AgentAccessBroker.Cli;

/// <summary>Where the CLI finds the broker and its token: flags, then environment, then the local data directory.</summary>
internal static class CliContext
{
    public const string DefaultServer = "http://127.0.0.1:8470";
    public const string DefaultDataDirectory = ".aab";

    public static BrokerClient Connect(string? server, string? token, string? taskToken = null)
    {
        var url = server ?? Environment.GetEnvironmentVariable("AAB_SERVER") ?? DefaultServer;
        var resolved = token ?? Environment.GetEnvironmentVariable("AAB_TOKEN") ?? ReadAdminToken()
            ?? throw new CliException("No token: set AAB_TOKEN (or pass --token), or run next to a broker's .aab/admin.token.");
        if (!Uri.TryCreate(url.EndsWith('/') ? url : url + "/", UriKind.Absolute, out var uri))
        {
            throw new CliException($"'{url}' is not a broker URL.");
        }

        return new BrokerClient(uri, resolved, taskToken ?? Environment.GetEnvironmentVariable("AAB_TASK_TOKEN"));
    }

    private static string? ReadAdminToken()
    {
        var path = Path.Combine(Environment.GetEnvironmentVariable("AAB_DATA") ?? DefaultDataDirectory, "admin.token");
        return File.Exists(path) ? File.ReadAllText(path).Trim() : null;
    }
}
