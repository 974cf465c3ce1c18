using AgentAccessBroker.Credentials;
using AgentAccessBroker.Server.Audit;
using Microsoft.Extensions.Hosting;
using System.CommandLine;
using AgentAccessBroker.Server.Hosting;

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
        var siem = new Option<Uri?>("--siem-endpoint") { Description = "Stream audit events as OCSF to this SIEM HTTP collector (default: AAB_SIEM_ENDPOINT)", DefaultValueFactory = _ => Environment.GetEnvironmentVariable("AAB_SIEM_ENDPOINT") is { Length: > 0 } u ? new Uri(u) : null };
        var siemToken = new Option<string?>("--siem-token-env") { Description = "Name of the environment variable holding the collector's bearer token (default: AAB_SIEM_TOKEN_ENV)", DefaultValueFactory = _ => Environment.GetEnvironmentVariable("AAB_SIEM_TOKEN_ENV") };
        var command = new Command("serve", "Run the broker.") { policy, data, urls, store, siem, siemToken };
        command.SetAction(async (result, cancellationToken) =>
        {
            var options = new BrokerServerOptions
            {
                PolicyPath = Path.GetFullPath(result.GetValue(policy)!),
                DataDirectory = Path.GetFullPath(result.GetValue(data)!),
                Urls = result.GetValue(urls)!,
                Store = result.GetValue(store)!,
                Siem = result.GetValue(siem) is { } endpoint
                    ? new SiemSinkOptions { Endpoint = endpoint, Token = result.GetValue(siemToken) is { Length: > 0 } variable ? new SecretReference(SecretSource.Environment, variable) : null }
                    : null,
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
