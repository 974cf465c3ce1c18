using System.Diagnostics;
using System.Globalization;
using AgentAccessBroker.Testing;
using AgentAccessBroker.Testing.Broker;

namespace AgentAccessBroker.Server.Tests;

/// <summary>
/// The data directory holds the store's and the scheduler's SQLite files, which every request writes. A watch on it
/// for writes (inotify's IN_MODIFY) wakes a thread for each of those writes, in the middle of the grant it belongs to;
/// the broker watches it only for names (the policy file's create, delete and rename).
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class DataDirectoryWatchTests(PostgresFixture postgres)
{
    private const uint InModify = 0x2;

    [Fact]
    public async Task Serve_DataDirectory_IsWatchedForNamesNotForWrites()
    {
        await using var host = await BrokerHost.StartAsync(postgres);
        var directory = await InodeAsync(host.DataDirectory);

        var masks = InotifyWatches().Where(w => w.Inode == directory).Select(w => w.Mask).ToList();

        Assert.NotEmpty(masks);
        Assert.All(masks, mask => Assert.Equal(0u, mask & InModify));
    }

    /// <summary>Every inotify watch this process holds, from <c>/proc/self/fdinfo</c>: the watched inode and event mask.</summary>
    private static List<(ulong Inode, uint Mask)> InotifyWatches()
    {
        var watches = new List<(ulong, uint)>();
        foreach (var info in Directory.EnumerateFiles("/proc/self/fdinfo"))
        {
            string[] lines;
            try
            {
                lines = File.ReadAllLines(info);
            }
            catch (IOException)
            {
                continue;
            }

            // "inotify wd:1 ino:b86003 sdev:fe00000 mask:40003c0 ignored_mask:0 ..."
            foreach (var fields in lines.Where(l => l.StartsWith("inotify ", StringComparison.Ordinal)).Select(l => l.Split(' ')))
            {
                string Field(string name) => fields.Single(f => f.StartsWith(name + ":", StringComparison.Ordinal))[(name.Length + 1)..];
                watches.Add((ulong.Parse(Field("ino"), NumberStyles.HexNumber, CultureInfo.InvariantCulture), uint.Parse(Field("mask"), NumberStyles.HexNumber, CultureInfo.InvariantCulture)));
            }
        }

        return watches;
    }

    private static async Task<ulong> InodeAsync(string path)
    {
        using var stat = Process.Start(new ProcessStartInfo("stat", ["-c", "%i", path]) { RedirectStandardOutput = true })!;
        var output = await stat.StandardOutput.ReadToEndAsync();
        await stat.WaitForExitAsync();
        return ulong.Parse(output.Trim(), CultureInfo.InvariantCulture);
    }
}
