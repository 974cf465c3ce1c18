using AgentAccessBroker.Client;

namespace AgentAccessBroker.Cli;

/// <summary>Where the CLI finds the broker and its token: flags, then environment, then the local data directory.</summary>
internal static class CliContext
{
    public const string DefaultServer = "http://127.0.0.1:8470";
    public const string DefaultDataDirectory = ".aab";

    /// <summary>
    /// The identity of this invocation's connection. The CLI runs one command per process, so the runner reads it to
    /// explain a 401 or 403 without every command passing it along.
    /// </summary>
    public static CliIdentity? Identity { get; private set; }

    /// <summary>Connects as whoever the flags, <c>AAB_TOKEN</c> or the admin token file say.</summary>
    public static BrokerClient Connect(string? server, string? token, string? taskToken = null) => Open(server, Resolve(token, asAgent: false), taskToken);

    /// <summary>
    /// Connects as an agent: the admin token file is never a fallback here, since an agent command run as the admin
    /// could only fail with "forbidden". A task token in the bearer's place (or the reverse) is named before any call.
    /// </summary>
    public static BrokerClient ConnectAgent(string? server, string? token, bool needsTaskToken)
    {
        var identity = Resolve(token, asAgent: true);
        var task = Environment.GetEnvironmentVariable("AAB_TASK_TOKEN");
        if (TokenKinds.IsBearerToken(task))
        {
            throw new CliException($"AAB_TASK_TOKEN holds {(TokenKinds.Describe(task) == "agent token" ? "an" : "a")} {TokenKinds.Describe(task)}; it must hold the task token (aabt_…) from 'aab task start'.");
        }

        if (needsTaskToken && string.IsNullOrEmpty(task))
        {
            throw new CliException("No task token: set AAB_TASK_TOKEN to the task token (aabt_…) printed by 'aab task start'.");
        }

        return Open(server, identity, task);
    }

    private static CliIdentity Resolve(string? token, bool asAgent)
    {
        var identity = Find(token, asAgent);
        return TokenKinds.IsTaskToken(identity.Token)
            ? throw new CliException($"{identity.Source} holds a task token (aabt_…), which belongs in AAB_TASK_TOKEN; the bearer token is an agent's (aaba_…) or a person's (aabu_…).")
            : identity;
    }

    private static CliIdentity Find(string? token, bool asAgent)
    {
        if (!string.IsNullOrEmpty(token))
        {
            return new CliIdentity(token, "--token");
        }

        if (Environment.GetEnvironmentVariable("AAB_TOKEN") is { Length: > 0 } fromEnvironment)
        {
            return new CliIdentity(fromEnvironment, "AAB_TOKEN");
        }

        if (asAgent)
        {
            throw new CliException("No agent token: set AAB_TOKEN to the agent's token (aaba_…, from 'aab agent add') or pass --token.");
        }

        var path = Path.Combine(Environment.GetEnvironmentVariable("AAB_DATA") ?? DefaultDataDirectory, "admin.token");
        return File.Exists(path)
            ? new CliIdentity(File.ReadAllText(path).Trim(), $"{path} (AAB_TOKEN is not set)")
            : throw new CliException($"No token: set AAB_TOKEN (or pass --token), or run where the broker's {path} is.");
    }

    private static BrokerClient Open(string? server, CliIdentity identity, string? taskToken)
    {
        var url = server ?? Environment.GetEnvironmentVariable("AAB_SERVER") ?? DefaultServer;
        if (!Uri.TryCreate(url.EndsWith('/') ? url : url + "/", UriKind.Absolute, out var uri))
        {
            throw new CliException($"'{url}' is not a broker URL.");
        }

        Identity = identity;
        return new BrokerClient(uri, identity.Token, taskToken ?? Environment.GetEnvironmentVariable("AAB_TASK_TOKEN"));
    }
}
