using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using Npgsql;

namespace AgentAccessBroker.LocalPostgres;

/// <summary>
/// A throwaway PostgreSQL cluster in a temporary directory, listening only on 127.0.0.1 with password (SCRAM)
/// authentication, so tests can prove that a revoked login really fails. Uses the server binaries of Debian's
/// <c>postgresql</c> package; installs the package when it is missing and the process runs as root.
/// </summary>
public sealed class LocalPostgresCluster : IAsyncDisposable
{
    /// <summary>The Debian package that provides the server.</summary>
    public const string DebianPackage = "postgresql";

    private const string ServiceUser = "postgres";

    private readonly string _binDirectory;
    private readonly bool _runAsServiceUser;
    private int _stopped;

    private LocalPostgresCluster(string binDirectory, string dataDirectory, int port, string superUser, string superUserPassword, bool runAsServiceUser)
    {
        _binDirectory = binDirectory;
        DataDirectory = dataDirectory;
        Port = port;
        SuperUser = superUser;
        SuperUserPassword = superUserPassword;
        _runAsServiceUser = runAsServiceUser;
    }

    public string Host => "127.0.0.1";

    public int Port { get; }

    public string DataDirectory { get; }

    public string SuperUser { get; }

    /// <summary>The superuser's password. A secret: never log it.</summary>
    public string SuperUserPassword { get; }

    /// <summary>A connection string for <paramref name="database"/> as the superuser.</summary>
    public string ConnectionString(string database = "postgres") => new NpgsqlConnectionStringBuilder
    {
        Host = Host,
        Port = Port,
        Username = SuperUser,
        Password = SuperUserPassword,
        Database = database,
        Pooling = true,
        Timeout = 15,
    }.ConnectionString;

    public override string ToString() => $"LocalPostgresCluster {{ Host = {Host}, Port = {Port}, SuperUser = {SuperUser}, DataDirectory = {DataDirectory} }}";

    /// <summary>Starts a new cluster. Throws <see cref="LocalPostgresUnavailableException"/> with a one-line reason when it cannot.</summary>
    public static async Task<LocalPostgresCluster> StartAsync(CancellationToken cancellationToken = default)
    {
        var binDirectory = FindBinDirectory() ?? await InstallAsync(cancellationToken);
        var runAsServiceUser = Environment.UserName == "root" || GetEffectiveUserId() == 0;

        var dataDirectory = Path.Combine(Path.GetTempPath(), "aab-pg-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6)));
        Directory.CreateDirectory(dataDirectory);
        var superUser = "aab_admin";
        var password = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24));
        var passwordFile = Path.Combine(Path.GetTempPath(), "aab-pgpw-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6)));
        await File.WriteAllTextAsync(passwordFile, password + "\n", cancellationToken);

        try
        {
            if (runAsServiceUser)
            {
                // initdb refuses to run as root: hand the directories to the unprivileged user the package created.
                await RunAsync("chown", ["-R", ServiceUser, dataDirectory, passwordFile], false, cancellationToken);
                await RunAsync("chmod", ["700", dataDirectory], false, cancellationToken);
            }

            await RunAsync(Path.Combine(binDirectory, "initdb"),
                ["-D", dataDirectory, "-U", superUser, "--pwfile", passwordFile, "-A", "scram-sha-256", "-E", "UTF8", "--no-sync"],
                runAsServiceUser, cancellationToken);
        }
        finally
        {
            File.Delete(passwordFile);
        }

        // A free port can be taken between probing and binding; retry a few times on a new port.
        for (var attempt = 1; ; attempt++)
        {
            var port = FreeLoopbackPort();
            var cluster = new LocalPostgresCluster(binDirectory, dataDirectory, port, superUser, password, runAsServiceUser);
            try
            {
                await cluster.PgCtlAsync(
                    ["-D", dataDirectory, "-l", Path.Combine(dataDirectory, "server.log"), "-w", "-t", "60",
                     "-o", $"-p {port} -k {dataDirectory} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200", "start"],
                    cancellationToken);
                return cluster;
            }
            catch (LocalPostgresUnavailableException) when (attempt < 3)
            {
            }
        }
    }

    /// <summary>Creates a database owned by the superuser.</summary>
    public async Task CreateDatabaseAsync(string name, CancellationToken cancellationToken = default)
    {
        await using var connection = new NpgsqlConnection(ConnectionString());
        await connection.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand($"CREATE DATABASE \"{name.Replace("\"", "\"\"", StringComparison.Ordinal)}\"", connection);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _stopped, 1) == 1)
        {
            return;
        }

        NpgsqlConnection.ClearAllPools();
        try
        {
            await PgCtlAsync(["-D", DataDirectory, "-m", "immediate", "-w", "stop"], CancellationToken.None);
        }
        catch (LocalPostgresUnavailableException)
        {
            // Already stopped (for example killed by a test); the directory is still removed below.
        }

        try
        {
            Directory.Delete(DataDirectory, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    private Task PgCtlAsync(IReadOnlyList<string> arguments, CancellationToken cancellationToken) =>
        RunAsync(Path.Combine(_binDirectory, "pg_ctl"), arguments, _runAsServiceUser, cancellationToken);

    private static string? FindBinDirectory()
    {
        const string root = "/usr/lib/postgresql";
        if (!Directory.Exists(root))
        {
            return null;
        }

        return Directory.GetDirectories(root)
            .Select(d => (Dir: Path.Combine(d, "bin"), Version: int.TryParse(Path.GetFileName(d), out var v) ? v : 0))
            .Where(d => File.Exists(Path.Combine(d.Dir, "initdb")) && File.Exists(Path.Combine(d.Dir, "pg_ctl")))
            .OrderByDescending(d => d.Version)
            .Select(d => d.Dir)
            .FirstOrDefault();
    }

    private static async Task<string> InstallAsync(CancellationToken cancellationToken)
    {
        if (GetEffectiveUserId() != 0)
        {
            throw new LocalPostgresUnavailableException(
                $"PostgreSQL server binaries not found under /usr/lib/postgresql: install the Debian package '{DebianPackage}' (sudo apt-get install -y {DebianPackage}).");
        }

        var environment = new Dictionary<string, string> { ["DEBIAN_FRONTEND"] = "noninteractive" };
        await RunAsync("apt-get", ["update", "-q"], false, cancellationToken, environment);
        await RunAsync("apt-get", ["install", "-y", "-q", "--no-install-recommends", DebianPackage], false, cancellationToken, environment);
        return FindBinDirectory()
            ?? throw new LocalPostgresUnavailableException($"Installed '{DebianPackage}' but found no server binaries under /usr/lib/postgresql.");
    }

    private static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static async Task RunAsync(
        string fileName,
        IReadOnlyList<string> arguments,
        bool asServiceUser,
        CancellationToken cancellationToken,
        IReadOnlyDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo
        {
            FileName = asServiceUser ? "runuser" : fileName,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetTempPath(),
        };
        if (asServiceUser)
        {
            foreach (var a in new[] { "-u", ServiceUser, "--", fileName })
            {
                start.ArgumentList.Add(a);
            }
        }

        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[key] = value;
        }

        using var process = Process.Start(start) ?? throw new LocalPostgresUnavailableException($"Could not start {fileName}.");
        var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        await Task.WhenAll(stdout, stderr);
        if (process.ExitCode != 0)
        {
            var detail = (await stderr).Trim().Split('\n').LastOrDefault(l => l.Length > 0) ?? "no output";
            throw new LocalPostgresUnavailableException($"{Path.GetFileName(fileName)} {arguments.LastOrDefault()} failed (exit {process.ExitCode}): {detail}");
        }
    }

    private static uint GetEffectiveUserId()
    {
        try
        {
            return geteuid();
        }
        catch (EntryPointNotFoundException)
        {
            return uint.MaxValue;
        }
        catch (DllNotFoundException)
        {
            return uint.MaxValue;
        }
    }

    [System.Runtime.InteropServices.DllImport("libc", SetLastError = false)]
    private static extern uint geteuid();
}
