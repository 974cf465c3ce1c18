namespace AgentAccessBroker.Mcp.Tests.Harness;

/// <summary>
/// The MCP Inspector's CLI, installed from npm into a temp prefix once per test class: an MCP client written by other
/// people, in another language, on another SDK. Missing node or npm is a test failure, not a skip: CI installs them.
/// </summary>
public sealed class InspectorCli : IAsyncLifetime
{
    public const string Package = "@modelcontextprotocol/inspector-cli";
    public const string Version = "1.0.3";

    public string Prefix { get; } = Directory.CreateTempSubdirectory("aab-inspector-").FullName;

    /// <summary>
    /// A directory whose parent holds a package.json: version 1.0.3 checks for "../package.json" relative to the
    /// current directory before importing its own, and fails anywhere else.
    /// </summary>
    public string WorkingDirectory => Directory.CreateDirectory(Path.Combine(Prefix, "run")).FullName;

    private string Entry => Path.Combine(Prefix, "node_modules", "@modelcontextprotocol", "inspector-cli", "build", "cli.js");

    public async Task InitializeAsync()
    {
        var (exitCode, _, stderr) = await RunRequiredToolAsync("npm", ["install", "--prefix", Prefix, "--no-audit", "--no-fund", "--loglevel=error", $"{Package}@{Version}"],
            Prefix, null, TimeSpan.FromSeconds(90));
        if (exitCode != 0 || !File.Exists(Entry))
        {
            throw new InvalidOperationException($"npm install {Package}@{Version} failed with exit code {exitCode}:\n{stderr}");
        }
    }

    public Task DisposeAsync()
    {
        Directory.Delete(Prefix, recursive: true);
        return Task.CompletedTask;
    }

    /// <summary>Runs <c>node cli.js args</c> in <paramref name="workingDirectory"/>; the child inherits the test's environment plus <paramref name="variables"/>.</summary>
    public Task<(int ExitCode, string StandardOutput, string StandardError)> RunAsync(
        IEnumerable<string> args, string workingDirectory, IReadOnlyDictionary<string, string?>? variables = null) =>
        RunRequiredToolAsync("node", [Entry, .. args], workingDirectory, variables, TimeSpan.FromSeconds(45));

    private static async Task<(int ExitCode, string StandardOutput, string StandardError)> RunRequiredToolAsync(
        string program, IReadOnlyList<string> args, string workingDirectory, IReadOnlyDictionary<string, string?>? environment, TimeSpan timeout)
    {
        try
        {
            return await ChildProcess.RunAsync(program, args, timeout, workingDirectory, environment);
        }
        catch (InvalidOperationException missing)
        {
            throw new InvalidOperationException(
                $"{missing.Message} The independent MCP client check needs Node.js and npm (Debian: apt-get install nodejs npm; .ci/run installs them).", missing);
        }
    }
}
