using System.Diagnostics;
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

    /// <summary>Runs <c>dotnet aab.dll args</c> to completion (bounded by <paramref name="timeout"/>) and returns its exit code and output.</summary>
    public static async Task<(int ExitCode, string StandardOutput, string StandardError)> RunAsync(
        IEnumerable<string> args, IReadOnlyDictionary<string, string>? variables = null, TimeSpan? timeout = null)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Dll);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment.Clear();
        foreach (var (name, value) in Environment(variables))
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start)!;
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var deadline = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(30));
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"'aab {string.Join(' ', args)}' did not exit within {(timeout ?? TimeSpan.FromSeconds(30)).TotalSeconds:0} s.");
        }

        return (process.ExitCode, await stdout, await stderr);
    }

    /// <summary>A loopback port nothing listens on (bound, then released).</summary>
    public static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
