using Microsoft.Data.Sqlite;

namespace AgentAccessBroker.Server.Scheduling;

/// <summary>
/// The SQLite file that holds Quartz's job store on a single-node broker. It is kept apart from the store's file on
/// purpose: Quartz writes through its own connections, outside the store's one-writer queue. SQLite lets one writer at
/// a time into a file, so on a shared file a grant's trigger and its lease row (each committed with an fsync) would
/// queue behind each other, and the loser would poll through SQLite's busy handler; in two files they are written at
/// the same time. Triggers lose nothing by living elsewhere: the lease table is the source of truth and the sweeps
/// revoke whatever is due even if a trigger is missing.
/// </summary>
internal static class SchedulerDatabase
{
    /// <summary>Creates the file in WAL mode if needed and returns Quartz's connection string for it.</summary>
    public static string Prepare(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        var connectionString = new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadWriteCreate, Pooling = true }.ToString();
        using var connection = new SqliteConnection(connectionString);
        connection.Open();
        using var command = connection.CreateCommand();

        // WAL lets the scheduler thread read due triggers while a request schedules a new one; it persists in the file.
        command.CommandText = "PRAGMA journal_mode = WAL";
        var mode = command.ExecuteScalar() as string;
        if (!string.Equals(mode, "wal", StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidOperationException($"SQLite refused WAL mode for the scheduler file {path} (journal mode is '{mode}').");
        }

        return connectionString;
    }
}
