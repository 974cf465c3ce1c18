using AgentAccessBroker.Credentials;
using AgentAccessBroker.Server.Audit;
using Microsoft.Extensions.Hosting;
using System.CommandLine;
using System.Net;
using System.Net.Sockets;
using AgentAccessBroker.Cli.QuickStart;
using AgentAccessBroker.Policy;
using AgentAccessBroker.Server.Hosting;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using AgentAccessBroker.Server.WebConsole;

namespace AgentAccessBroker.Cli.Commands;

/// <summary>
/// <c>aab serve</c>: runs a broker node until Ctrl+C. Without <c>--policy</c> (or <c>AAB_POLICY</c>) it is a quick
/// start: a throwaway local PostgreSQL and a policy for it, so the README's walkthrough works on a fresh machine.
/// Prints where it listens, and one warning line per target whose secret is missing or whose server cannot be reached.
/// </summary>
internal static class ServeCommand
{
    private static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(3);

    public static Command Create()
    {
        var policy = new Option<string?>("--policy") { Description = "Policy file (YAML) (Broker:PolicyPath, AAB_POLICY); without one, a quick start on a throwaway local PostgreSQL" };
        var data = new Option<string?>("--data") { Description = $"Data directory: SQLite store, logs, admin token, appsettings.json (Broker:DataDirectory, AAB_DATA; default {CliContext.DefaultDataDirectory})" };
        var urls = new Option<string?>("--urls") { Description = $"Listen address (Broker:Urls, AAB_URLS; default {CliContext.DefaultServer})" };
        var store = new Option<string?>("--store") { Description = "sqlite (single node, default) or postgres (cluster; connection string by reference in Broker:StoreConnectionRef, default env:AAB_STORE_CONNECTION)" };
        store.AcceptOnlyFromAmong("sqlite", "postgres");
        var siem = new Option<Uri?>("--siem-endpoint") { Description = "Stream audit events as OCSF to this SIEM HTTP collector (Broker:Siem:Endpoint, AAB_SIEM_ENDPOINT)" };
        var siemToken = new Option<string?>("--siem-token-env") { Description = "Name of the environment variable holding the collector's bearer token (Broker:Siem:Token as env:NAME, AAB_SIEM_TOKEN_ENV)" };
        var oidcAuthority = new Option<Uri?>("--oidc-authority") { Description = "Console single sign-on: the OpenID provider's issuer URL (Broker:Console:OidcAuthority, AAB_OIDC_AUTHORITY; client secret by reference in Broker:Console:OidcClientSecretRef, default env:AAB_OIDC_CLIENT_SECRET)" };
        var oidcClient = new Option<string?>("--oidc-client-id") { Description = "Console single sign-on: the client (application) id (Broker:Console:OidcClientId, AAB_OIDC_CLIENT_ID)" };
        var oidcClaim = new Option<string?>("--oidc-claim") { Description = "The ID token claim matched to a broker person: email, oid, sub, preferred_username (Broker:Console:OidcClaim, AAB_OIDC_CLAIM; default email)" };
        var mcpResource = new Option<Uri?>("--mcp-resource") { Description = "Remote MCP: the broker's resource identifier, its public /mcp URL (Broker:Mcp:Resource; default the listen URL + /mcp)" };
        var mcpAuthority = new Option<string?>("--mcp-authority") { Description = "Remote MCP: the OAuth authorization server (issuer) whose JWT access tokens /mcp accepts (Broker:Mcp:Authority; none: broker tokens only)" };
        var mcpAudience = new Option<string?>("--mcp-audience") { Description = "Remote MCP: the audience tokens carry when it is not the resource, e.g. api://<app id> on Entra ID (Broker:Mcp:Audience)" };
        var mcpAgentClaim = new Option<string?>("--mcp-agent-claim") { Description = "Remote MCP: the token claim naming the broker agent: sub, client_id, azp, appid (Broker:Mcp:AgentClaim; default sub)" };
        var mcpTaskClaim = new Option<string?>("--mcp-task-claim") { Description = "Remote MCP: the token claim naming the task id; without it the X-AAB-Task-Token header does (Broker:Mcp:TaskClaim; default aab_task)" };
        var mcpScope = new Option<string?>("--mcp-scope") { Description = "Remote MCP: the scope a token needs (Broker:Mcp:Scope; default aab.access)" };
        var command = new Command("serve", "Run the broker. Any other setting as --Section:Key=value (docs/CONFIGURATION.md).")
        {
            policy, data, urls, store, siem, siemToken, oidcAuthority, oidcClient, oidcClaim, mcpResource, mcpAuthority, mcpAudience, mcpAgentClaim, mcpTaskClaim, mcpScope,
        };
        command.TreatUnmatchedTokensAsErrors = false;
        command.SetAction(async (result, cancellationToken) =>
        {
            // The flags are the command line's own spelling of configuration keys; they win over every other source.
            var flags = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase)
            {
                ["Broker:PolicyPath"] = result.GetValue(policy) is { } p ? Path.GetFullPath(p) : null,
                ["Broker:DataDirectory"] = result.GetValue(data),
                ["Broker:Urls"] = result.GetValue(urls),
                ["Broker:Store"] = result.GetValue(store),
                ["Broker:Siem:Endpoint"] = result.GetValue(siem)?.ToString(),
                ["Broker:Siem:Token"] = result.GetValue(siemToken) is { Length: > 0 } variable ? "env:" + variable : null,
                ["Broker:Console:OidcAuthority"] = result.GetValue(oidcAuthority)?.ToString(),
                ["Broker:Console:OidcClientId"] = result.GetValue(oidcClient),
                ["Broker:Console:OidcClaim"] = result.GetValue(oidcClaim),
                ["Broker:Mcp:Resource"] = result.GetValue(mcpResource)?.ToString(),
                ["Broker:Mcp:Authority"] = result.GetValue(mcpAuthority),
                ["Broker:Mcp:Audience"] = result.GetValue(mcpAudience),
                ["Broker:Mcp:AgentClaim"] = result.GetValue(mcpAgentClaim),
                ["Broker:Mcp:TaskClaim"] = result.GetValue(mcpTaskClaim),
                ["Broker:Mcp:Scope"] = result.GetValue(mcpScope),
            };
            var configuration = BrokerConfiguration.FromProcess(result.UnmatchedTokens, flags.Where(f => f.Value is not null).ToDictionary(StringComparer.OrdinalIgnoreCase));
            var problems = new List<string>();
            var bound = BrokerServerOptions.FromConfiguration(configuration, problems);
            var options = bound with
            {
                DataDirectory = Path.GetFullPath(bound.DataDirectory.Length > 0 ? bound.DataDirectory : CliContext.DefaultDataDirectory),
                Urls = configuration["Broker:Urls"] is { Length: > 0 } ? bound.Urls : CliContext.DefaultServer,
                PolicyPath = bound.PolicyPath.Length > 0 ? Path.GetFullPath(bound.PolicyPath) : string.Empty,
                Console = bound.Console with { OidcClientSecret = bound.Console.OidcClientSecret ?? OidcClientSecret(bound.Console.OidcClientSecretRef) },
            };
            var quickStarting = options.PolicyPath.Length == 0;
            BrokerServer.CheckConfiguration(options, configuration, problems, policyRequired: !quickStarting);
            EnsureFree(options.Urls);
            await using var quickStart = quickStarting ? await StartQuickStartAsync(options.DataDirectory, cancellationToken) : null;
            options = quickStart is null ? options : options with { PolicyPath = quickStart.PolicyPath };
            if (!File.Exists(options.PolicyPath))
            {
                throw new CliException($"policy file not found: {options.PolicyPath}");
            }

            await using var app = await BrokerServer.BuildAsync(options, configuration, cancellationToken: cancellationToken);
            try
            {
                await app.StartAsync(cancellationToken);
            }
            catch (IOException busy) when (busy.InnerException is AddressInUseException)
            {
                throw InUse(options.Urls);
            }

            Output.Line($"aab: broker listening on {string.Join(", ", app.Urls)} (policy {options.PolicyPath}, data {options.DataDirectory}); Ctrl+C stops it.");
            var targetProblems = await TargetChecks.RunAsync(app.Services.GetRequiredService<IPolicySource>().Current, app.Services.GetRequiredService<ISecretResolver>(), ConnectTimeout, cancellationToken);
            foreach (var problem in targetProblems)
            {
                await Console.Error.WriteLineAsync("aab: warning: " + problem);
            }

            await app.WaitForShutdownAsync(cancellationToken);
            return 0;
        });
        return command;
    }

    /// <summary>The console's client secret, by reference (<c>Broker:Console:OidcClientSecretRef</c>, default <c>env:AAB_OIDC_CLIENT_SECRET</c>); null when unset.</summary>
    private static string? OidcClientSecret(SecretReference? reference)
    {
        if (reference is null)
        {
            return null;
        }

        try
        {
            return new EnvironmentAndFileSecretResolver().Resolve(reference);
        }
        catch (InvalidOperationException) when (reference.Source == SecretSource.Environment)
        {
            return null;
        }
    }

    private static CliException InUse(string url) =>
        new($"{url} is already in use (another broker?); stop it, or pass another address, e.g. --urls http://127.0.0.1:8471 (and AAB_SERVER=http://127.0.0.1:8471 for the CLI).", 2);

    /// <summary>
    /// Fails with one line before anything starts (the store, the quick-start database) when a listen address is taken.
    /// Kestrel would find out only after the start-up work, and its host logs the failure with pages of stack trace.
    /// </summary>
    private static void EnsureFree(string urls)
    {
        foreach (var url in urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || !IPAddress.TryParse(uri.Host, out var address))
            {
                continue;
            }

            using var probe = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
            // As Kestrel does: a port whose old connections linger in TIME_WAIT is free; a listening one is not.
            probe.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            try
            {
                probe.Bind(new IPEndPoint(address, uri.Port));
            }
            catch (SocketException taken) when (taken.SocketErrorCode == SocketError.AddressAlreadyInUse)
            {
                throw InUse(url);
            }
        }
    }

    private static async Task<QuickStartTarget> StartQuickStartAsync(string dataDirectory, CancellationToken cancellationToken)
    {
        Output.Line("aab: quick start (no --policy given): starting a throwaway PostgreSQL on 127.0.0.1 ...");
        var target = await QuickStartTarget.StartAsync(dataDirectory, cancellationToken);
        Output.Line($"aab: quick start: PostgreSQL on 127.0.0.1:{target.Port}, database '{DemoDatabase.Name}' (tables public.invoices, hr.salaries), broker login '{DemoDatabase.BrokerRole}';");
        Output.Line($"aab: quick start: policy {target.PolicyPath}: target app-db, agent billing-bot (owner alice), approvers bob and carol, hr.* needs a human.");
        Output.Line("aab: quick start: the database is deleted when the broker stops; pass --policy FILE to run your own.");
        return target;
    }
}
