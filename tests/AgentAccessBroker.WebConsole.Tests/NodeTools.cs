using System.Diagnostics;

namespace AgentAccessBroker.WebConsole.Tests;

/// <summary>
/// The npm packages the browser tests need (oidc-provider, axe-core), in <c>.ci/node/node_modules</c> of the checkout
/// where <c>.ci/run</c> installs them; installed on first use when a developer runs the tests without it.
/// </summary>
internal static class NodeTools
{
    private static readonly SemaphoreSlim Gate = new(1, 1);

    public static string RepositoryRoot { get; } = FindRoot();

    public static async Task<string> NodeModulesAsync()
    {
        var folder = Path.Combine(RepositoryRoot, ".ci", "node");
        var modules = Path.Combine(folder, "node_modules");
        await Gate.WaitAsync();
        try
        {
            if (!File.Exists(Path.Combine(modules, "oidc-provider", "lib", "index.js")) || !File.Exists(Path.Combine(modules, "axe-core", "axe.min.js")))
            {
                await RunAsync("npm", $"install --no-audit --no-fund --prefix \"{folder}\"", folder);
            }
        }
        finally
        {
            Gate.Release();
        }

        return modules;
    }

    private static async Task RunAsync(string file, string arguments, string directory)
    {
        var start = new ProcessStartInfo(file, arguments) { WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {file}");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} {arguments} failed ({process.ExitCode}): {await output}{await error}");
        }
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "AgentAccessBroker.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("The browser tests run from a checkout: AgentAccessBroker.sln not found above " + AppContext.BaseDirectory);
    }
}
