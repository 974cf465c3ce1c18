using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace AgentAccessBroker.Connectors.PostgreSql.Tests.Support;

/// <summary>
/// A loopback TCP proxy in front of the test cluster that can refuse connections the way a PostgreSQL server does
/// while it starts up: it answers the startup packet with a real protocol ErrorResponse (FATAL 57P03 "the database
/// system is starting up") and closes. Other connections are forwarded byte for byte.
/// </summary>
internal sealed class PostgresFaultProxy : IAsyncDisposable
{
    private const int SslRequestCode = 80877103;
    private const int GssEncRequestCode = 80877104;

    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly int _upstreamPort;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _connections = [];
    private readonly Task _acceptLoop;
    private int _refuseRemaining;
    private int _accepted;
    private int _refused;

    private PostgresFaultProxy(int upstreamPort, int refuseFirst)
    {
        _upstreamPort = upstreamPort;
        _refuseRemaining = refuseFirst;
        _listener.Start();
        _acceptLoop = AcceptAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary>Connections accepted so far (refused or forwarded).</summary>
    public int Accepted => Volatile.Read(ref _accepted);

    public int Refused => Volatile.Read(ref _refused);

    /// <param name="refuseFirst">How many connections to refuse before forwarding; <see cref="int.MaxValue"/> refuses all.</param>
    public static PostgresFaultProxy Start(int upstreamPort, int refuseFirst) => new(upstreamPort, refuseFirst);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        try
        {
            await _acceptLoop;
        }
        catch (OperationCanceledException)
        {
        }

        Task[] open;
        lock (_connections)
        {
            open = [.. _connections];
        }

        await Task.WhenAll(open.Select(t => t.ContinueWith(_ => { }, TaskScheduler.Default)));
        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            Interlocked.Increment(ref _accepted);
            var refuse = Interlocked.Decrement(ref _refuseRemaining) >= 0;
            var task = refuse ? RefuseAsync(client) : ForwardAsync(client);
            lock (_connections)
            {
                _connections.Add(task);
            }
        }
    }

    private async Task RefuseAsync(TcpClient client)
    {
        using (client)
        {
            var stream = client.GetStream();
            try
            {
                while (true)
                {
                    var header = new byte[8];
                    await stream.ReadExactlyAsync(header, _stop.Token);
                    var length = BinaryPrimitives.ReadInt32BigEndian(header);
                    var code = BinaryPrimitives.ReadInt32BigEndian(header.AsSpan(4));
                    if (length == 8 && code is SslRequestCode or GssEncRequestCode)
                    {
                        await stream.WriteAsync("N"u8.ToArray(), _stop.Token);
                        continue;
                    }

                    await stream.ReadExactlyAsync(new byte[length - 8], _stop.Token);
                    await stream.WriteAsync(StartingUpError(), _stop.Token);
                    Interlocked.Increment(ref _refused);
                    return;
                }
            }
            catch (Exception e) when (e is IOException or OperationCanceledException or EndOfStreamException)
            {
            }
        }
    }

    private async Task ForwardAsync(TcpClient client)
    {
        using (client)
        using (var upstream = new TcpClient())
        {
            try
            {
                await upstream.ConnectAsync(IPAddress.Loopback, _upstreamPort, _stop.Token);
                using var linked = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
                var up = client.GetStream().CopyToAsync(upstream.GetStream(), linked.Token);
                var down = upstream.GetStream().CopyToAsync(client.GetStream(), linked.Token);
                await Task.WhenAny(up, down);
                await linked.CancelAsync();
            }
            catch (Exception e) when (e is IOException or SocketException or OperationCanceledException)
            {
            }
        }
    }

    /// <summary>ErrorResponse ('E'): severity, SQLSTATE and message fields, NUL-terminated, as PostgreSQL sends it.</summary>
    private static byte[] StartingUpError()
    {
        var body = new List<byte>();
        void Field(char type, string value)
        {
            body.Add((byte)type);
            body.AddRange(Encoding.UTF8.GetBytes(value));
            body.Add(0);
        }

        Field('S', "FATAL");
        Field('V', "FATAL");
        Field('C', "57P03");
        Field('M', "the database system is starting up");
        body.Add(0);
        var message = new byte[1 + 4 + body.Count];
        message[0] = (byte)'E';
        BinaryPrimitives.WriteInt32BigEndian(message.AsSpan(1), 4 + body.Count);
        body.CopyTo(message, 5);
        return message;
    }
}
