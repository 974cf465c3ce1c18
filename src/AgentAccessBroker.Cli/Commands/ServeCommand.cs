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
        var policy = new Option<string?>("--policy") { Description = "Policy file (YAML); without it (and without AAB_POLICY), a quick start on a throwaway local PostgreSQL" };
        var data = new Option<string>("--data") { Description = "Data directory (SQLite store, logs, admin token)", DefaultValueFactory = _ => Environment.GetEnvironmentVariable("AAB_DATA") ?? CliContext.DefaultDataDirectory };
        var urls = new Option<string>("--urls") { Description = "Listen address", DefaultValueFactory = _ => Environment.GetEnvironmentVariable("AAB_URLS") ?? CliContext.DefaultServer };
        var store = new Option<string>("--store") { Description = "sqlite (single node) or postgres (cluster; connection string in AAB_STORE_CONNECTION)", DefaultValueFactory = _ => Environment.GetEnvironmentVariable("AAB_STORE") ?? "sqlite" };
        store.AcceptOnlyFromAmong("sqlite", "postgres");
        var siem = new Option<Uri?>("--siem-endpoint") { Description = "Stream audit events as OCSF to this SIEM HTTP collector (default: AAB_SIEM_ENDPOINT)", DefaultValueFactory = _ => Environment.GetEnvironmentVariable("AAB_SIEM_ENDPOINT") is { Length: > 0 } u ? new Uri(u) : null };
        var siemToken = new Option<string?>("--siem-token-env") { Description = "Name of the environment variable holding the collector's bearer token (default: AAB_SIEM_TOKEN_ENV)", DefaultValueFactory = _ => Environment.GetEnvironmentVariable("AAB_SIEM_TOKEN_ENV") };
        var oidcAuthority = new Option<Uri?>("--oidc-authority") { Description = "Console single sign-on: the OpenID provider's issuer URL (default: AAB_OIDC_AUTHORITY; client secret only from AAB_OIDC_CLIENT_SECRET)", DefaultValueFactory = _ => Environment.GetEnvironmentVariable("AAB_OIDC_AUTHORITY") is { Length: > 0 } a ? new Uri(a) : null };
        var oidcClient = new Option<string?>("--oidc-client-id") { Description = "Console single sign-on: the client (application) id (default: AAB_OIDC_CLIENT_ID)", DefaultValueFactory = _ => Environment.GetEnvironmentVariable("AAB_OIDC_CLIENT_ID") };
        var oidcClaim = new Option<string>("--oidc-claim") { Description = "The ID token claim matched to a broker person: email, oid, sub, preferred_username (default: AAB_OIDC_CLAIM or email)", DefaultValueFactory = _ => Environment.GetEnvironmentVariable("AAB_OIDC_CLAIM") ?? "email" };
        var mcpResource = new Option<Uri?>("--mcp-resource") { Description = "Remote MCP: the broker's resource identifier, its public /mcp URL (default: AAB_MCP_RESOURCE, else the listen URL + /mcp)", DefaultValueFactory = _ => Environment.GetEnvironmentVariable("AAB_MCP_RESOURCE") is { Length: > 0 } r ? new Uri(r) : null };
        var mcpAuthority = new Option<string?>("--mcp-authority") { Description = "Remote MCP: the OAuth authorization server (issuer) whose JWT access tokens /mcp accepts (default: AAB_MCP_AUTHORITY; none: broker tokens only)", DefaultValueFactory = _ => Environment.GetEnvironmentVariable("AAB_MCP_AUTHORITY") };
        var mcpAudience = new Option<string?>("--mcp-audience") { Description = "Remote MCP: the audience tokens carry when it is not the resource, e.g. api://<app id> on Entra ID (default: AAB_MCP_AUDIENCE)", DefaultValueFactory = _ => Environment.GetEnvironmentVariable("AAB_MCP_AUDIENCE") };
        var mcpAgentClaim = new Option<string>("--mcp-agent-claim") { Description = "Remote MCP: the token claim naming the broker agent: sub, client_id, azp, appid (default: AAB_MCP_AGENT_CLAIM or sub)", DefaultValueFactory = _ => Environment.GetEnvironmentVariable("AAB_MCP_AGENT_CLAIM") ?? "sub" };
        var mcpTaskClaim = new Option<string>("--mcp-task-claim") { Description = "Remote MCP: the token claim naming the task id; without it the X-AAB-Task-Token header does (default: AAB_MCP_TASK_CLAIM or aab_task)", DefaultValueFactory = _ => Environment.GetEnvironmentVariable("AAB_MCP_TASK_CLAIM") ?? "aab_task" };
        var mcpScope = new Option<string>("--mcp-scope") { Description = "Remote MCP: the scope a token needs (default: AAB_MCP_SCOPE or aab.access)", DefaultValueFactory = _ => Environment.GetEnvironmentVariable("AAB_MCP_SCOPE") ?? "aab.access" };
        var command = new Command("serve", "Run the broker.") { policy, data, urls, store, siem, siemToken, oidcAuthority, oidcClient, oidcClaim, mcpResource, mcpAuthority, mcpAudience, mcpAgentClaim, mcpTaskClaim, mcpScope };
        command.SetAction(async (result, cancellationToken) =>
        {
            var dataDirectory = Path.GetFullPath(result.GetValue(data)!);
            EnsureFree(result.GetValue(urls)!);
            var policyPath = result.GetValue(policy) ?? Environment.GetEnvironmentVariable("AAB_POLICY");
            await using var quickStart = policyPath is null ? await StartQuickStartAsync(dataDirectory, cancellationToken) : null;
            var options = new BrokerServerOptions
            {
                PolicyPath = quickStart?.PolicyPath ?? Path.GetFullPath(policyPath!),
                DataDirectory = dataDirectory,
                Urls = result.GetValue(urls)!,
                Store = result.GetValue(store)!,
                Siem = result.GetValue(siem) is { } endpoint
                    ? new SiemSinkOptions { Endpoint = endpoint, Token = result.GetValue(siemToken) is { Length: > 0 } variable ? new SecretReference(SecretSource.Environment, variable) : null }
                    : null,
                Console = new ConsoleOptions
                {
                    OidcAuthority = result.GetValue(oidcAuthority),
                    OidcClientId = result.GetValue(oidcClient),
                    OidcClientSecret = Environment.GetEnvironmentVariable("AAB_OIDC_CLIENT_SECRET"),
                    OidcClaim = result.GetValue(oidcClaim)!,
                },
                Mcp = new RemoteMcpOptions
                {
                    Resource = result.GetValue(mcpResource),
                    Authority = result.GetValue(mcpAuthority) is { Length: > 0 } issuer ? issuer : null,
                    Audience = result.GetValue(mcpAudience) is { Length: > 0 } audience ? audience : null,
                    AgentClaim = result.GetValue(mcpAgentClaim)!,
                    TaskClaim = result.GetValue(mcpTaskClaim)!,
                    Scope = result.GetValue(mcpScope)!,
                },
            };
            if (!File.Exists(options.PolicyPath))
            {
                throw new CliException($"policy file not found: {options.PolicyPath}");
            }

            await using var app = await BrokerServer.BuildAsync(options, cancellationToken: cancellationToken);
            try
            {
                await app.StartAsync(cancellationToken);
            }
            catch (IOException busy) when (busy.InnerException is AddressInUseException)
            {
                throw InUse(options.Urls);
            }

            Output.Line($"aab: broker listening on {string.Join(", ", app.Urls)} (policy {options.PolicyPath}, data {options.DataDirectory}); Ctrl+C stops it.");
            var problems = await TargetChecks.RunAsync(app.Services.GetRequiredService<IPolicySource>().Current, app.Services.GetRequiredService<ISecretResolver>(), ConnectTimeout, cancellationToken);
            foreach (var problem in problems)
            {
                await Console.Error.WriteLineAsync("aab: warning: " + problem);
            }

            await app.WaitForShutdownAsync(cancellationToken);
            return 0;
        });
        return command;
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
