using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace AgentAccessBroker.WebConsole.Tests;

/// <summary>The npm <c>oidc-provider</c> (a certified OpenID Provider) run by node on a loopback port for one broker.</summary>
internal sealed class OidcProvider : IAsyncDisposable
{
    public const string ClientId = "aab-console";
    public const string ClientSecret = "browser-test-client-secret";

    private readonly Process _process;

    private OidcProvider(Process process, Uri issuer)
    {
        _process = process;
        Issuer = issuer;
    }

    public Uri Issuer { get; }

    /// <summary>A free loopback port: the broker must know its provider's address before the provider knows the broker's.</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <param name="mcpResource">With it, the provider also issues JWT access tokens for MCP tests (see the script).</param>
    /// <param name="jwksPath">The private signing keys (a JWKS file) the provider signs with; needed with <paramref name="mcpResource"/>.</param>
    public static async Task<OidcProvider> StartAsync(int port, Uri redirectUri, string? mcpResource = null, string? jwksPath = null)
    {
        var modules = await NodeTools.NodeModulesAsync();
        var script = Path.Combine(AppContext.BaseDirectory, "oidc-provider.mjs");
        var start = new ProcessStartInfo("node")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            ArgumentList = { script, modules, port.ToString(System.Globalization.CultureInfo.InvariantCulture), ClientId, ClientSecret, redirectUri.AbsoluteUri },
        };
        if (mcpResource is not null)
        {
            start.ArgumentList.Add(mcpResource);
            start.ArgumentList.Add(jwksPath ?? throw new ArgumentNullException(nameof(jwksPath)));
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("could not start node");
        var errors = process.StandardError.ReadToEndAsync();
        var line = await process.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(30));
        if (line is null || !line.StartsWith("listening ", StringComparison.Ordinal))
        {
            process.Kill(entireProcessTree: true);
            throw new InvalidOperationException($"oidc-provider did not start: {line} {await errors}");
        }

        _ = process.StandardOutput.ReadToEndAsync();
        return new OidcProvider(process, new Uri(line["listening ".Length..]));
    }

    public async ValueTask DisposeAsync()
    {
        // Closing stdin asks the script to stop; the kill is for a script that hangs.
        _process.StandardInput.Close();
        if (!_process.WaitForExit(TimeSpan.FromSeconds(5)))
        {
            _process.Kill(entireProcessTree: true);
        }

        await _process.WaitForExitAsync();
        _process.Dispose();
    }
}
