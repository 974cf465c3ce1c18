using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using AgentAccessBroker.Testing;
using AgentAccessBroker.Testing.Broker;

namespace AgentAccessBroker.Server.Tests;

/// <summary>
/// A flood of idle, unauthenticated TCP connections on loopback: the broker must neither die (it used to, at about
/// 20,000, once the open-files limit was exhausted) nor lock authenticated callers out. Bounded in count and time.
/// </summary>
/// <remarks>
/// Both ends of every flood connection live in this process. Where the open-files limit holds them all (about 60,000),
/// the broker runs with its default limit and keeps all 25,000; below that (20,000 on a default container), the
/// broker's limit is set to half of what the process has, and the flood's sockets that the broker evicts are closed
/// on this side as they would be by any client whose connection was reset.
/// </remarks>
[Collection(PostgresCollection.Name)]
public sealed class ConnectionFloodTests(PostgresFixture postgres)
{
    private const int FloodSize = 25_000;
    private const int ConnectParallelism = 64;
    private static readonly TimeSpan FloodDeadline = TimeSpan.FromSeconds(120);

    [Fact]
    public async Task Broker_25000IdleConnections_StaysUpAndAnswersAuthenticatedGetWithin2Seconds()
    {
        var files = OpenFiles.RaiseSoftLimit();
        long? limit = files >= (FloodSize * 2) + 8_192 ? null : (files - 4_096) / 2;
        await using var host = await BrokerHost.StartAsync(postgres, configure: o => o with { MaxConcurrentConnections = limit, FileLogging = false });
        var token = (await File.ReadAllTextAsync(Path.Combine(host.DataDirectory, "admin.token"))).Trim();
        using var deadline = new CancellationTokenSource(FloodDeadline);
        await using var flood = new Flood(host.Address.Port);

        await flood.OpenAsync(FloodSize, deadline.Token);
        using var http = new HttpClient { BaseAddress = host.Address, Timeout = TimeSpan.FromSeconds(10) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        var clock = Stopwatch.StartNew();
        using var response = await http.GetAsync("v1/tasks", deadline.Token);
        clock.Stop();

        Assert.Equal(FloodSize, flood.Opened);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(2), $"GET /v1/tasks took {clock.ElapsedMilliseconds} ms under the flood");
        if (limit is { } bounded)
        {
            // The broker held no more than its limit: the rest of the flood was evicted, oldest first.
            Assert.True(flood.ClosedByBroker >= FloodSize - bounded - 64, $"{flood.ClosedByBroker} of {FloodSize} closed by the broker with a limit of {bounded}");
        }

        using var health = await http.GetAsync("healthz", deadline.Token);
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
    }

    [Fact]
    public async Task Broker_IdleConnectionsOverItsLimit_EvictsTheOldestAndLetsACallerIn()
    {
        await using var host = await BrokerHost.StartAsync(postgres, configure: o => o with { MaxConcurrentConnections = 100, FileLogging = false });
        using var deadline = new CancellationTokenSource(FloodDeadline);
        await using var flood = new Flood(host.Address.Port);

        await flood.OpenAsync(400, deadline.Token);
        await flood.WaitUntilClosedByBrokerAsync(300, deadline.Token);
        using var http = new HttpClient { BaseAddress = host.Address, Timeout = TimeSpan.FromSeconds(10) };
        using var health = await http.GetAsync("healthz", deadline.Token);

        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        Assert.True(flood.ClosedByBroker >= 300, $"{flood.ClosedByBroker} of 400 evicted with a limit of 100");
    }

    /// <summary>Idle connections that send nothing; each closes its own end when the broker closes the connection.</summary>
    private sealed class Flood(int port) : IAsyncDisposable
    {
        private readonly IPEndPoint _endpoint = new(IPAddress.Loopback, port);
        private readonly List<Socket> _sockets = [];
        private readonly List<Task> _watchers = [];
        private int _opened;
        private int _closedByBroker;

        public int Opened => Volatile.Read(ref _opened);

        public int ClosedByBroker => Volatile.Read(ref _closedByBroker);

        public Task OpenAsync(int count, CancellationToken cancellationToken) =>
            Parallel.ForEachAsync(Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = ConnectParallelism, CancellationToken = cancellationToken }, async (_, ct) =>
            {
                var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                try
                {
                    await socket.ConnectAsync(_endpoint, ct);
                }
                catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionReset)
                {
                    // Accepted and evicted at once by the broker's connection gate: opened, and closed by the broker.
                    socket.Dispose();
                    Interlocked.Increment(ref _opened);
                    Interlocked.Increment(ref _closedByBroker);
                    return;
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }

                Interlocked.Increment(ref _opened);
                lock (_sockets)
                {
                    _sockets.Add(socket);
                    _watchers.Add(WatchAsync(socket));
                }
            });

        public async Task WaitUntilClosedByBrokerAsync(int count, CancellationToken cancellationToken)
        {
            using var tick = new PeriodicTimer(TimeSpan.FromMilliseconds(20));
            while (ClosedByBroker < count && await tick.WaitForNextTickAsync(cancellationToken))
            {
            }
        }

        public async ValueTask DisposeAsync()
        {
            lock (_sockets)
            {
                foreach (var socket in _sockets)
                {
                    socket.Dispose();
                }
            }

            await Task.WhenAll(_watchers);
        }

        private async Task WatchAsync(Socket socket)
        {
            var buffer = new byte[1];
            try
            {
                if (await socket.ReceiveAsync(buffer, SocketFlags.None) == 0)
                {
                    Interlocked.Increment(ref _closedByBroker);
                }
            }
            catch (SocketException)
            {
                Interlocked.Increment(ref _closedByBroker);
            }
            catch (ObjectDisposedException)
            {
                return;
            }

            socket.Dispose();
        }
    }

    /// <summary>This process's RLIMIT_NOFILE: the soft limit raised to the hard one (the runtime usually did already).</summary>
    private static class OpenFiles
    {
        private const int ResourceNoFile = 7;

        public static long RaiseSoftLimit()
        {
            Assert.True(OperatingSystem.IsLinux(), "the flood test measures Linux descriptor limits");
            Assert.Equal(0, GetRLimit(ResourceNoFile, out var limit));
            if (limit.Current < limit.Maximum)
            {
                var raised = new RLimit { Current = limit.Maximum, Maximum = limit.Maximum };
                Assert.Equal(0, SetRLimit(ResourceNoFile, ref raised));
            }

            Assert.Equal(0, GetRLimit(ResourceNoFile, out limit));
            Assert.True(limit.Current >= 8_192, $"RLIMIT_NOFILE is {limit.Current}; the flood test needs at least 8,192");
            return (long)Math.Min(limit.Current, 1_000_000);
        }

        [DllImport("libc", EntryPoint = "getrlimit")]
        private static extern int GetRLimit(int resource, out RLimit limit);

        [DllImport("libc", EntryPoint = "setrlimit")]
        private static extern int SetRLimit(int resource, ref RLimit limit);

        [StructLayout(LayoutKind.Sequential)]
        private struct RLimit
        {
            public ulong Current;
            public ulong Maximum;
        }
    }
}
