using System.Text;
using Serilog.Sinks.File;

namespace AgentAccessBroker.Server.Hosting;

/// <summary>
/// The broker's data directory is readable by its owner only: the directory and its logs directory 0700, and every
/// file the broker keeps there (the SQLite stores and their WAL and shared-memory files, keys, the admin token, logs)
/// 0600, from creation on. Modes that were looser (a directory from an older version) are tightened at start.
/// </summary>
internal static class DataDirectory
{
    public const UnixFileMode DirectoryMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    public const UnixFileMode FileMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>The files the broker owns in the directory; SQLite gives its -wal, -shm and -journal files the mode of the database file.</summary>
    private static readonly string[] OwnFiles = ["broker.db", "scheduler.db", "master.key", "audit-signing.key", "admin.token"];
    private static readonly string[] SqliteSuffixes = [string.Empty, "-wal", "-shm", "-journal"];

    public static void Prepare(BrokerServerOptions options)
    {
        CreateOwnerOnly(options.DataDirectory);
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        foreach (var name in OwnFiles)
        {
            foreach (var suffix in SqliteSuffixes)
            {
                Tighten(Path.Combine(options.DataDirectory, name + suffix));
            }
        }

        var logs = LogDirectory(options);
        if (Directory.Exists(logs))
        {
            CreateOwnerOnly(logs);
            foreach (var file in Directory.EnumerateFiles(logs))
            {
                Tighten(file);
            }
        }

        // SQLite creates a database file with the process umask (0644 as a rule) and its companion files with the
        // database file's mode: an empty 0600 file made first is opened as a new database and sets the mode for all.
        if (AgentAccessBroker.Storage.BrokerStoreFactory.NormaliseProvider(options.Store) == "sqlite")
        {
            CreateEmptyOwnerOnly(options.SqlitePath);
            CreateEmptyOwnerOnly(options.SchedulerSqlitePath);
        }
    }

    public static string LogDirectory(BrokerServerOptions options) => Path.Combine(options.DataDirectory, "logs");

    /// <summary>Creates a directory 0700 (a no-op on Windows, where ACLs are inherited from the parent).</summary>
    public static void CreateOwnerOnly(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(path);
            return;
        }

        Directory.CreateDirectory(path, DirectoryMode);
        if ((File.GetUnixFileMode(path) & ~DirectoryMode) != 0)
        {
            File.SetUnixFileMode(path, DirectoryMode);
        }
    }

    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    private static void CreateEmptyOwnerOnly(string path)
    {
        if (File.Exists(path))
        {
            return;
        }

        try
        {
            using var _ = new FileStream(path, new FileStreamOptions { Mode = System.IO.FileMode.CreateNew, Access = FileAccess.Write, UnixCreateMode = FileMode });
        }
        catch (IOException) when (File.Exists(path))
        {
            // Another node or a restart raced us to it; its mode is tightened at the next start.
        }
    }

    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    private static void Tighten(string path)
    {
        if (File.Exists(path) && (File.GetUnixFileMode(path) & ~FileMode) != 0)
        {
            File.SetUnixFileMode(path, FileMode);
        }
    }

    /// <summary>Gives each log file 0600 as the file sink opens it, before the first event is written.</summary>
    internal sealed class OwnerOnlyLogFiles : FileLifecycleHooks
    {
        public override Stream OnFileOpened(string path, Stream underlyingStream, Encoding encoding)
        {
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(path, FileMode);
            }

            return base.OnFileOpened(path, underlyingStream, encoding);
        }
    }
}
