using System.Runtime.InteropServices;

namespace AgentAccessBroker.Server.Hosting;

/// <summary>
/// The process's open-files limit (RLIMIT_NOFILE), which bounds how many connections Kestrel may hold: a connection
/// flood that exhausts it leaves the broker unable to open its store, its logs or an outbound socket, and the runtime
/// fails hard. The .NET runtime raises the soft limit to the hard limit at start, so the soft limit is what counts.
/// </summary>
internal static class OpenFilesLimit
{
    /// <summary>
    /// Descriptors kept back from the <see cref="ConnectionGate"/>'s connections: half for Kestrel's backstop (evicted
    /// connections still closing), half for the store, the logs, outbound calls and the runtime itself.
    /// </summary>
    public const long Reserve = 2 * Backstop;

    /// <summary>How far above the gate's limit Kestrel's own connection limit sits.</summary>
    public const long Backstop = 1024;

    /// <summary>The connection limit where the open-files limit cannot be read.</summary>
    public const long UnknownLimitDefault = 16_384;

    private const int ResourceNoFile = 7;

    /// <summary>The soft limit, or null where it cannot be read (Windows, macOS' different constant).</summary>
    public static long? Current()
    {
        if (!OperatingSystem.IsLinux())
        {
            return null;
        }

        try
        {
            return GetRLimit(ResourceNoFile, out var limit) == 0 ? (long)Math.Min(limit.Current, long.MaxValue) : null;
        }
        catch (Exception exception) when (exception is DllNotFoundException or EntryPointNotFoundException)
        {
            return null;
        }
    }

    /// <summary>
    /// The connection limit Kestrel gets: the configured one, never more than the open-files limit minus
    /// <see cref="Reserve"/> (and at least 64, so a tiny limit still serves someone).
    /// </summary>
    public static long ConnectionLimit(long? configured, long? openFiles)
    {
        var ceiling = openFiles is { } files ? Math.Max(64, files - Reserve) : UnknownLimitDefault;
        return configured is { } wanted ? Math.Min(wanted, ceiling) : ceiling;
    }

    // DllImport rather than LibraryImport: the struct is blittable, and LibraryImport would need unsafe code enabled.
    [DllImport("libc", EntryPoint = "getrlimit")]
    private static extern int GetRLimit(int resource, out RLimit limit);

    [StructLayout(LayoutKind.Sequential)]
    private struct RLimit
    {
        public ulong Current;
        public ulong Maximum;
    }
}
