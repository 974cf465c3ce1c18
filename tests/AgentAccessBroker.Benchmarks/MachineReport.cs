using System.Diagnostics;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace AgentAccessBroker.Benchmarks;

/// <summary>What the numbers were taken on, printed with every run so a table never travels without its context.</summary>
internal static class MachineReport
{
    public static string Describe() =>
        $"machine: {Environment.ProcessorCount} logical cores, {CpuModel()}; {RuntimeInformation.FrameworkDescription} on {RuntimeInformation.OSDescription}; " +
        $"{(IsOptimized() ? "Release (JIT optimizer on)" : "DEBUG BUILD")}; GC {(System.Runtime.GCSettings.IsServerGC ? "server" : "workstation")}";

    /// <summary>The 1-, 5- and 15-minute load averages: other work on this shared machine shows up here.</summary>
    public static string LoadAverage()
    {
        try
        {
            return string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3));
        }
        catch (IOException)
        {
            return "unknown";
        }
    }

    /// <summary>
    /// The machine's speed at this moment, as one fixed piece of CPU work: deriving a key with PBKDF2-SHA256 and 4,096
    /// rounds (what the PostgreSQL provider does per login role). This shared machine's speed varies several times
    /// over a day; runs are comparable only when this figure is close.
    /// </summary>
    public static string SpeedReference()
    {
        var salt = new byte[16];
        _ = Rfc2898DeriveBytes.Pbkdf2("reference"u8, salt, 4096, HashAlgorithmName.SHA256, 32);
        var started = Stopwatch.GetTimestamp();
        const int Rounds = 50;
        for (var i = 0; i < Rounds; i++)
        {
            _ = Rfc2898DeriveBytes.Pbkdf2("reference"u8, salt, 4096, HashAlgorithmName.SHA256, 32);
        }

        return $"speed reference: one PBKDF2-SHA256 derivation of 4,096 rounds takes {Stopwatch.GetElapsedTime(started).TotalMilliseconds / Rounds:0.00} ms";
    }

    /// <summary>Refuses to measure a Debug build: its numbers would mislead.</summary>
    public static void RequireRelease()
    {
        if (!IsOptimized())
        {
            throw new InvalidOperationException("Benchmarks must run in Release: dotnet run -c Release --project tests/AgentAccessBroker.Benchmarks -- <which>");
        }
    }

    private static bool IsOptimized() =>
        typeof(MachineReport).Assembly.GetCustomAttribute<DebuggableAttribute>()?.IsJITOptimizerDisabled != true;

    private static string CpuModel()
    {
        try
        {
            return File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? "unknown CPU";
        }
        catch (IOException)
        {
            return "unknown CPU";
        }
    }
}
