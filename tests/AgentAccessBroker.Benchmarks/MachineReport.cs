using System.Diagnostics;
using System.Reflection;
using System.Runtime.InteropServices;

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
