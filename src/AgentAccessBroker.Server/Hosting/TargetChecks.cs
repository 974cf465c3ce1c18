using System.Net.Sockets;
using AgentAccessBroker.Credentials;
using AgentAccessBroker.Policy;

namespace AgentAccessBroker.Server.Hosting;

/// <summary>
/// What <c>aab serve</c> checks about every target at start-up, so a newcomer learns at once (not at the first
/// grant) that a secret is missing or a server cannot be reached: each secret reference resolves, and the target's
/// endpoint accepts a TCP connection. Each problem is one line; none stops the broker (a target may come up later).
/// Never reveals a secret: a reference is named by its variable or file, never by its value.
/// </summary>
public static class TargetChecks
{
    public static async Task<IReadOnlyList<string>> RunAsync(BrokerPolicy policy, ISecretResolver secrets, TimeSpan connectTimeout, CancellationToken cancellationToken)
    {
        var checks = policy.Targets.Select(target => CheckAsync(target, secrets, connectTimeout, cancellationToken));
        return (await Task.WhenAll(checks)).SelectMany(problems => problems).ToList();
    }

    private static async Task<IReadOnlyList<string>> CheckAsync(TargetPolicy target, ISecretResolver secrets, TimeSpan connectTimeout, CancellationToken cancellationToken)
    {
        var problems = new List<string>();
        foreach (var (setting, reference) in target.Settings.SecretReferences)
        {
            try
            {
                secrets.Resolve(reference);
            }
            catch (InvalidOperationException)
            {
                var where = reference.Source == SecretSource.Environment ? $"environment variable {reference.Location} is not set" : $"file {reference.Location} cannot be read";
                problems.Add($"target '{target.Name}': {setting} comes from {reference} but the {where}; minting will fail until it is.");
            }
        }

        if (Endpoint(target) is { } endpoint && await ReachAsync(endpoint.Host, endpoint.Port, connectTimeout, cancellationToken) is { } failure)
        {
            problems.Add($"target '{target.Name}': {endpoint.Host}:{endpoint.Port} is not reachable ({failure}); minting will fail until it is.");
        }

        return problems;
    }

    // Where each connector's outside system listens: the database server, or the cloud's token service.
    private static (string Host, int Port)? Endpoint(TargetPolicy target)
    {
        var settings = target.Settings;
        switch (target.Connector)
        {
            case "postgresql":
                var port = int.TryParse(settings.Get("port"), out var p) ? p : 5432;
                return settings.Get("host") is { } host ? (host, port) : null;
            case "aws":
                return settings.Get("sts_endpoint") is { } sts && Uri.TryCreate(sts, UriKind.Absolute, out var uri)
                    ? (uri.Host, uri.Port)
                    : settings.Get("region") is { } region ? ($"sts.{region}.amazonaws.com", 443) : null;
            case "azure":
                return ("login.microsoftonline.com", 443);
            default:
                return null;
        }
    }

    private static async Task<string?> ReachAsync(string host, int port, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        using var client = new TcpClient();
        try
        {
            await client.ConnectAsync(host, port, deadline.Token);
            return null;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return $"no answer within {timeout.TotalSeconds:0} s";
        }
        catch (SocketException exception)
        {
            return exception.SocketErrorCode switch
            {
                SocketError.ConnectionRefused => "connection refused",
                SocketError.HostNotFound or SocketError.TryAgain or SocketError.NoData => "unknown host",
                _ => exception.SocketErrorCode.ToString(),
            };
        }
    }
}
