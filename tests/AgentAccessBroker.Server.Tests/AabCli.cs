using System.Diagnostics;

namespace AgentAccessBroker.Server.Tests;

/// <summary>
/// Runs the real <c>aab</c> built next to the tests (<c>dotnet aab.dll</c>, a child process: exit codes, stdout and
/// stderr exactly as a user sees them), without colour and with wide lines so tables do not wrap.
/// </summary>
internal static class AabCli
{
    public static Task<ShellRun> RunAsync(params string[] arguments) => RunInAsync(null, arguments);

    public static async Task<ShellRun> RunInAsync(string? workingDirectory, params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        if (workingDirectory is not null)
        {
            start.WorkingDirectory = workingDirectory;
        }

        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "aab.dll"));
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["NO_COLOR"] = "1";
        start.Environment["COLUMNS"] = "400";
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return new ShellRun(process.ExitCode, await stdout, await stderr);
    }
}
