using System.Net;
using System.Net.Http.Headers;
using AgentAccessBroker.Server.Hosting;
using AgentAccessBroker.Testing.Broker;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace AgentAccessBroker.Server.Tests;

/// <summary>The host's request log names the route and the outcome, never what a client sent in the path, query or headers.</summary>
public sealed class RequestLoggingTests : IDisposable
{
    private readonly string _data = Directory.CreateTempSubdirectory("aab-request-log-").FullName;

    [Fact]
    public async Task Request_RefusedWithSecretsInPathQueryAndHeaders_LogsRouteAndStatusOnly()
    {
        const string PathSecret = "lease_pathsecret7f3a9c";
        const string QuerySecret = "querysecret5b1e2d";
        const string HeaderSecret = "aab_headersecret9c4f6a";
        const string TaskSecret = "tasksecret0d8e3b";
        var policy = Path.Combine(_data, "policy.yaml");
        await File.WriteAllTextAsync(policy, TestPolicy.Yaml(port: 5432, brokerRole: "aab_broker", database: "app"));
        Environment.SetEnvironmentVariable(TestPolicy.PasswordVariable, BrokerHost.BrokerPassword);
        var app = await BrokerServer.BuildAsync(new BrokerServerOptions
        {
            DataDirectory = _data,
            PolicyPath = policy,
            Urls = "http://127.0.0.1:0",
            FileLogging = true,
            ConsoleLogLevel = Serilog.Events.LogEventLevel.Fatal,
        });
        HttpStatusCode status;
        await using (app)
        {
            await app.StartAsync();
            var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
            using var http = new HttpClient { BaseAddress = new Uri(address + "/") };
            using var request = new HttpRequestMessage(HttpMethod.Get, $"v1/leases/{PathSecret}?token={QuerySecret}");
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", HeaderSecret);
            request.Headers.Add(Client.BrokerClient.TaskTokenHeader, TaskSecret);
            using var response = await http.SendAsync(request);
            status = response.StatusCode;
            await app.StopAsync();
        }

        var written = string.Concat(Directory.GetFiles(Path.Combine(_data, "logs")).Select(File.ReadAllText));
        Assert.Equal(HttpStatusCode.Unauthorized, status);
        Assert.Contains("HTTP GET /v1/leases/{id} responded 401", written, StringComparison.Ordinal);
        Assert.All([PathSecret, QuerySecret, HeaderSecret, TaskSecret], secret => Assert.DoesNotContain(secret, written, StringComparison.Ordinal));
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_data, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
