using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;

namespace AgentAccessBroker.Server.Tests;

/// <summary>
/// Runs the README's "Running a broker" section as a newcomer would: on a copy of the repository (no build outputs, no
/// data directory) and with a home directory of its own, the first block (install), then the second (<c>aab serve</c>) in the background
/// until it says where it listens, then the third (the walkthrough) command by command, recording each exit status. The
/// broker stays up for the tests that look at its output and listings. Only the prerequisites the README names are
/// assumed: the .NET SDK and Debian's PostgreSQL (psql included).
/// </summary>
public sealed partial class ReadmeWalkthrough : IAsyncLifetime
{
    private static readonly TimeSpan InstallTimeout = TimeSpan.FromMinutes(20);
    private static readonly TimeSpan ServeTimeout = TimeSpan.FromMinutes(5);
    private static readonly TimeSpan WalkthroughTimeout = TimeSpan.FromMinutes(5);

    private readonly StringBuilder _serveOut = new();
    private readonly StringBuilder _serveErr = new();
    private readonly TaskCompletionSource _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Process? _serve;

    public string Clone { get; } = Path.Combine(Path.GetTempPath(), "aab-readme-" + Guid.NewGuid().ToString("N")[..8]);

    public string Home => Path.Combine(Clone, ".home");

    public string Server { get; } = $"http://127.0.0.1:{FreePort()}";

    public IReadOnlyList<string> Blocks { get; private set; } = [];

    public ShellRun Install { get; private set; } = ShellRun.Empty;

    public IReadOnlyList<(string Command, int Status)> Commands { get; private set; } = [];

    public ShellRun Walkthrough { get; private set; } = ShellRun.Empty;

    public string ServeOutput
    {
        get
        {
            lock (_serveOut)
            {
                return _serveOut.ToString();
            }
        }
    }

    public string ServeErrors
    {
        get
        {
            lock (_serveErr)
            {
                return _serveErr.ToString();
            }
        }
    }

    public async Task InitializeAsync()
    {
        Blocks = ExtractBlocks(await File.ReadAllTextAsync(Path.Combine(CliTests.RepositoryRoot, "README.md")));
        if (Blocks.Count < 3 || !Blocks[1].Trim().StartsWith("aab serve", StringComparison.Ordinal))
        {
            return;
        }

        CopyRepository(CliTests.RepositoryRoot, Clone);
        Directory.CreateDirectory(Home);
        Install = await RunShellAsync(Blocks[0], InstallTimeout);
        if (Install.Exit != 0)
        {
            return;
        }

        _serve = StartServe(Blocks[1].Trim());
        await Task.WhenAny(_listening.Task, _serve.WaitForExitAsync(), Task.Delay(ServeTimeout));
        if (!_listening.Task.IsCompleted)
        {
            return;
        }

        var (script, commands) = Instrument(Blocks[2]);
        Walkthrough = await RunShellAsync(script, WalkthroughTimeout);
        var statuses = File.Exists(StatusFile) ? await File.ReadAllLinesAsync(StatusFile) : [];
        Commands = commands.Select((c, i) => (c, i < statuses.Length ? int.Parse(statuses[i], System.Globalization.CultureInfo.InvariantCulture) : -1)).ToList();
    }

    /// <summary>Runs <c>aab</c> (the installed tool) with the walkthrough's environment plus <paramref name="environment"/>.</summary>
    public Task<ShellRun> AabAsync(IReadOnlyDictionary<string, string?>? environment, params string[] arguments) =>
        RunAsync(Path.Combine(Home, ".dotnet", "tools", "aab"), arguments, TimeSpan.FromMinutes(2), environment);

    public async Task DisposeAsync()
    {
        if (_serve is { HasExited: false })
        {
            // Ctrl+C's signal, so the quick start stops its PostgreSQL; a kill would leave the cluster running.
            using (var term = Process.Start("kill", ["-TERM", _serve.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
            {
                await term.WaitForExitAsync();
            }

            using var patience = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            try
            {
                await _serve.WaitForExitAsync(patience.Token);
            }
            catch (OperationCanceledException)
            {
                _serve.Kill(entireProcessTree: true);
            }
        }

        _serve?.Dispose();
        try
        {
            Directory.Delete(Clone, recursive: true);
        }
        catch (IOException)
        {
            // A file still held by a child being torn down; the temp directory is cleaned up by the OS.
        }
    }

    private string StatusFile => Path.Combine(Clone, ".readme-statuses");

    /// <summary>The shell blocks of the "Running a broker" section, in order.</summary>
    public static IReadOnlyList<string> ExtractBlocks(string readme)
    {
        var start = readme.IndexOf("\n## Running a broker", StringComparison.Ordinal);
        var end = start < 0 ? -1 : readme.IndexOf("\n## ", start + 5, StringComparison.Ordinal);
        if (start < 0)
        {
            return [];
        }

        var section = end < 0 ? readme[start..] : readme[start..end];
        return ShellBlock().Matches(section).Select(m => m.Groups["body"].Value).ToList();
    }

    /// <summary>
    /// The block as a script that appends each command's exit status to a file, and the commands in order. A command
    /// is a line that is neither blank nor only a comment (the README has no continuation lines).
    /// </summary>
    private (string Script, IReadOnlyList<string> Commands) Instrument(string block)
    {
        var script = new StringBuilder();
        var commands = new List<string>();
        foreach (var line in block.Split('\n'))
        {
            script.AppendLine(line);
            if (line.Trim().Length == 0 || line.TrimStart().StartsWith('#'))
            {
                continue;
            }

            commands.Add(line.Trim());
            script.AppendLine(System.Globalization.CultureInfo.InvariantCulture, $"echo $? >> '{StatusFile}'");
        }

        return (script.ToString(), commands);
    }

    private Dictionary<string, string?> Environment(IReadOnlyDictionary<string, string?>? extra = null)
    {
        var environment = new Dictionary<string, string?>
        {
            ["HOME"] = Home,
            ["NUGET_PACKAGES"] = System.Environment.GetEnvironmentVariable("NUGET_PACKAGES")
                ?? Path.Combine(System.Environment.GetFolderPath(System.Environment.SpecialFolder.UserProfile), ".nuget", "packages"),
            ["PATH"] = $"{Path.Combine(Home, ".dotnet", "tools")}:{System.Environment.GetEnvironmentVariable("PATH")}",
            ["DOTNET_NOLOGO"] = "1",
            ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1",
            ["DOTNET_SKIP_FIRST_TIME_EXPERIENCE"] = "1",
            ["MSBUILDDISABLENODEREUSE"] = "1",
            ["DOTNET_CLI_USE_MSBUILD_SERVER"] = "0",
            ["NO_COLOR"] = "1",

            // The documented settings for where the broker listens and where the CLI finds it: a free port, so the test
            // never meets another broker on 8470.
            ["AAB_URLS"] = Server,
            ["AAB_SERVER"] = Server,
        };
        foreach (var (key, value) in extra ?? new Dictionary<string, string?>())
        {
            environment[key] = value;
        }

        return environment;
    }

    private ProcessStartInfo StartInfo(string file, IEnumerable<string> arguments, IReadOnlyDictionary<string, string?>? extra)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = Clone };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        // What a fresh shell would not have: this test host's MSBuild and test-platform variables, and any aab settings.
        foreach (var key in start.Environment.Keys.Where(k => k.StartsWith("MSBUILD", StringComparison.OrdinalIgnoreCase) || k.StartsWith("VSTEST", StringComparison.OrdinalIgnoreCase)
            || k.StartsWith("AAB_", StringComparison.Ordinal) || k is "COLUMNS" or "DOTNET_HOST_PATH" or "MSBuildSDKsPath" or "MSBuildExtensionsPath").ToList())
        {
            start.Environment.Remove(key);
        }

        foreach (var (key, value) in Environment(extra))
        {
            start.Environment[key] = value;
        }

        return start;
    }

    private Task<ShellRun> RunShellAsync(string script, TimeSpan timeout) => RunAsync("bash", ["--noprofile", "--norc", "-c", script], timeout, null);

    private async Task<ShellRun> RunAsync(string file, IEnumerable<string> arguments, TimeSpan timeout, IReadOnlyDictionary<string, string?>? extra)
    {
        using var process = Process.Start(StartInfo(file, arguments, extra))!;
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var deadline = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }

        return new ShellRun(process.ExitCode, await stdout, await stderr);
    }

    private Process StartServe(string command)
    {
        var start = StartInfo("bash", ["--noprofile", "--norc", "-c", "exec " + command], null);
        var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) =>
        {
            lock (_serveOut)
            {
                _serveOut.AppendLine(e.Data);
            }

            if (e.Data?.Contains("broker listening on", StringComparison.Ordinal) == true)
            {
                _listening.TrySetResult();
            }
        };
        process.ErrorDataReceived += (_, e) =>
        {
            lock (_serveErr)
            {
                _serveErr.AppendLine(e.Data);
            }
        };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private static void CopyRepository(string from, string to)
    {
        foreach (var file in new[] { "README.md", "AgentAccessBroker.sln", "Directory.Build.props", "Directory.Packages.props", "global.json", "LICENSE" })
        {
            if (File.Exists(Path.Combine(from, file)))
            {
                Directory.CreateDirectory(to);
                File.Copy(Path.Combine(from, file), Path.Combine(to, file));
            }
        }

        foreach (var directory in new[] { "src", "connectors", "infra" })
        {
            CopyTree(new DirectoryInfo(Path.Combine(from, directory)), Path.Combine(to, directory));
        }
    }

    private static void CopyTree(DirectoryInfo source, string destination)
    {
        Directory.CreateDirectory(destination);
        foreach (var file in source.EnumerateFiles())
        {
            file.CopyTo(Path.Combine(destination, file.Name));
        }

        foreach (var child in source.EnumerateDirectories().Where(d => d.Name is not ("bin" or "obj")))
        {
            CopyTree(child, Path.Combine(destination, child.Name));
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    [GeneratedRegex(@"```sh\n(?<body>.*?)```", RegexOptions.Singleline)]
    private static partial Regex ShellBlock();
}
