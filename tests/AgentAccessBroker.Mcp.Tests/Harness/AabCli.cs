using System.Net;
using System.Net.Sockets;

namespace AgentAccessBroker.Mcp.Tests.Harness;

/// <summary>The real <c>aab</c> CLI (aab.dll next to the test assembly), run as a child process.</summary>
internal static class AabCli
{
    public static string Dll { get; } = Path.Combine(AppContext.BaseDirectory, "aab.dll");

    /// <summary>
    /// The environment a child gets: only what the dotnet host needs plus <paramref name="variables"/>, so an AAB_*
    /// variable of the test process (or of the machine) never leaks into a test.
    /// </summary>
    public static Dictionary<string, string?> Environment(IReadOnlyDictionary<string, string>? variables = null)
    {
        var environment = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var name in new[] { "PATH", "HOME", "TMPDIR", "DOTNET_ROOT", "DOTNET_CLI_HOME", "DOTNET_CLI_TELEMETRY_OPTOUT", "DOTNET_NOLOGO" })
        {
            if (System.Environment.GetEnvironmentVariable(name) is { } value)
            {
                environment[name] = value;
            }
        }

        foreach (var (name, value) in variables ?? new Dictionary<string, string>())
        {
            environment[name] = value;
        }

        return environment;
    }

    /// <summary>Runs <c>dotnet aab.dll args</c> to completion (within 30 s) with only <see cref="Environment"/> set.</summary>
    public static Task<(int ExitCode, string StandardOutput, string StandardError)> RunAsync(IEnumerable<string> args, IReadOnlyDictionary<string, string>? variables = null) =>
        ChildProcess.RunAsync("dotnet", [Dll, .. args], TimeSpan.FromSeconds(30), environment: Environment(variables), inherit: false);

    /// <summary>A loopback port nothing listens on (bound, then released).</summary>
    public static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
