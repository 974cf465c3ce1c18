using System.Security.Cryptography;
using AgentAccessBroker.LocalPostgres;

namespace AgentAccessBroker.Cli.QuickStart;

/// <summary>
/// What <c>aab serve</c> runs against when no policy is given: a throwaway PostgreSQL on 127.0.0.1 holding the demo
/// database, and a policy for it written under the data directory. The cluster lives as long as the broker; the
/// broker's password for it is a file readable by the owner only, referenced from the policy, never printed.
/// </summary>
internal sealed class QuickStartTarget : IAsyncDisposable
{
    private readonly LocalPostgresCluster _postgres;

    private QuickStartTarget(LocalPostgresCluster postgres, string policyPath)
    {
        _postgres = postgres;
        PolicyPath = policyPath;
    }

    public string PolicyPath { get; }

    public int Port => _postgres.Port;

    public static async Task<QuickStartTarget> StartAsync(string dataDirectory, CancellationToken cancellationToken)
    {
        var directory = Path.Combine(dataDirectory, "quickstart");
        Directory.CreateDirectory(directory);
        var postgres = await LocalPostgresCluster.StartAsync(cancellationToken);
        try
        {
            var password = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
            await DemoDatabase.PrepareAsync(postgres, password, cancellationToken);
            var passwordFile = Path.Combine(directory, "broker-password");
            await WriteOwnerOnlyAsync(passwordFile, password, cancellationToken);
            var policyPath = Path.Combine(directory, "policy.yaml");
            await File.WriteAllTextAsync(policyPath, Policy()
                .Replace("{{PORT}}", postgres.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal)
                .Replace("{{PASSWORD_FILE}}", passwordFile, StringComparison.Ordinal), cancellationToken);
            return new QuickStartTarget(postgres, policyPath);
        }
        catch
        {
            await postgres.DisposeAsync();
            throw;
        }
    }

    public ValueTask DisposeAsync() => _postgres.DisposeAsync();

    private static string Policy()
    {
        using var stream = typeof(QuickStartTarget).Assembly.GetManifestResourceStream("AgentAccessBroker.Cli.QuickStart.quickstart-policy.yaml")
            ?? throw new InvalidOperationException("The quick-start policy is missing from the aab assembly.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    private static async Task WriteOwnerOnlyAsync(string path, string content, CancellationToken cancellationToken)
    {
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        await using var stream = new FileStream(path, options);
        await using var writer = new StreamWriter(stream);
        await writer.WriteAsync(content.AsMemory(), cancellationToken);
    }
}
