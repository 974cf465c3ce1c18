using Microsoft.Extensions.Hosting;
using System.CommandLine;
using AgentAccessBroker.Server.Hosting;
using AgentAccessBroker.Server.WebConsole;

namespace AgentAccessBroker.Cli.Commands;

/// <summary><c>aab serve</c>: runs a broker node until Ctrl+C.</summary>
internal static class ServeCommand
{
    public static Command Create()
    {
        var policy = new Option<string>("--policy") { Description = "Policy file (YAML)", DefaultValueFactory = _ => Environment.GetEnvironmentVariable("AAB_POLICY") ?? "infra/policy/example-policy.yaml" };
        var data = new Option<string>("--data") { Description = "Data directory (SQLite store, logs, admin token)", DefaultValueFactory = _ => Environment.GetEnvironmentVariable("AAB_DATA") ?? CliContext.DefaultDataDirectory };
        var urls = new Option<string>("--urls") { Description = "Listen address", DefaultValueFactory = _ => Environment.GetEnvironmentVariable("AAB_URLS") ?? CliContext.DefaultServer };
        var store = new Option<string>("--store") { Description = "sqlite (single node) or postgres (cluster; connection string in AAB_STORE_CONNECTION)", DefaultValueFactory = _ => Environment.GetEnvironmentVariable("AAB_STORE") ?? "sqlite" };
        store.AcceptOnlyFromAmong("sqlite", "postgres");
        var oidcAuthority = new Option<Uri?>("--oidc-authority") { Description = "Console single sign-on: the OpenID provider's issuer URL (default: AAB_OIDC_AUTHORITY; client secret only from AAB_OIDC_CLIENT_SECRET)", DefaultValueFactory = _ => Environment.GetEnvironmentVariable("AAB_OIDC_AUTHORITY") is { Length: > 0 } a ? new Uri(a) : null };
        var oidcClient = new Option<string?>("--oidc-client-id") { Description = "Console single sign-on: the client (application) id (default: AAB_OIDC_CLIENT_ID)", DefaultValueFactory = _ => Environment.GetEnvironmentVariable("AAB_OIDC_CLIENT_ID") };
        var oidcClaim = new Option<string>("--oidc-claim") { Description = "The ID token claim matched to a broker person: email, oid, sub, preferred_username (default: AAB_OIDC_CLAIM or email)", DefaultValueFactory = _ => Environment.GetEnvironmentVariable("AAB_OIDC_CLAIM") ?? "email" };
        var command = new Command("serve", "Run the broker.") { policy, data, urls, store, oidcAuthority, oidcClient, oidcClaim };
        command.SetAction(async (result, cancellationToken) =>
        {
            var options = new BrokerServerOptions
            {
                PolicyPath = Path.GetFullPath(result.GetValue(policy)!),
                DataDirectory = Path.GetFullPath(result.GetValue(data)!),
                Urls = result.GetValue(urls)!,
                Store = result.GetValue(store)!,
                Console = new ConsoleOptions
                {
                    OidcAuthority = result.GetValue(oidcAuthority),
                    OidcClientId = result.GetValue(oidcClient),
                    OidcClientSecret = Environment.GetEnvironmentVariable("AAB_OIDC_CLIENT_SECRET"),
                    OidcClaim = result.GetValue(oidcClaim)!,
                },
            };
            if (!File.Exists(options.PolicyPath))
            {
                throw new CliException($"policy file not found: {options.PolicyPath}");
            }

            await using var app = await BrokerServer.BuildAsync(options, cancellationToken: cancellationToken);
            await app.StartAsync(cancellationToken);
            await app.WaitForShutdownAsync(cancellationToken);
            return 0;
        });
        return command;
    }
}
