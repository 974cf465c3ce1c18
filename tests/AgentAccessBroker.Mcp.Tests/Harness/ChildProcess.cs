using System.ComponentModel;
using System.Diagnostics;

namespace AgentAccessBroker.Mcp.Tests.Harness;

/// <summary>Runs a program to completion with stdin closed, bounded by a deadline, and returns its exit code and output.</summary>
internal static class ChildProcess
{
    /// <param name="environment">Variables set for the child, on top of the test's own unless <paramref name="inherit"/> is false.</param>
    public static async Task<(int ExitCode, string StandardOutput, string StandardError)> RunAsync(
        string program, IEnumerable<string> args, TimeSpan timeout, string? workingDirectory = null,
        IReadOnlyDictionary<string, string?>? environment = null, bool inherit = true)
    {
        var start = new ProcessStartInfo(program)
        {
            WorkingDirectory = workingDirectory ?? string.Empty,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        if (!inherit)
        {
            start.Environment.Clear();
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string?>())
        {
            start.Environment[name] = value;
        }

        Process process;
        try
        {
            process = Process.Start(start)!;
        }
        catch (Win32Exception)
        {
            throw new InvalidOperationException($"'{program}' is not installed or not on PATH.");
        }

        using (process)
        {
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
                throw new TimeoutException($"'{program} {string.Join(' ', start.ArgumentList)}' did not finish within {timeout.TotalSeconds:0} s.");
            }

            return (process.ExitCode, await stdout, await stderr);
        }
    }
}
