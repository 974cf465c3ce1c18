using AgentAccessBroker.Client;
using AgentAccessBroker.Server.Hosting;
using AgentAccessBroker.Server.WebConsole;
using AgentAccessBroker.Testing;
using AgentAccessBroker.Testing.Broker;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace AgentAccessBroker.WebConsole.Tests;

/// <summary>A real broker on loopback whose console signs in through a real OpenID provider (and one-time links).</summary>
internal sealed class ConsoleBroker : IAsyncDisposable
{
    private ConsoleBroker(BrokerHost host, OidcProvider provider, FakeTimeProvider linkClock)
    {
        Host = host;
        Provider = provider;
        LinkClock = linkClock;
    }

    public BrokerHost Host { get; }

    public OidcProvider Provider { get; }

    /// <summary>The clock one-time links are made and checked with: the test moves it to expire them.</summary>
    public FakeTimeProvider LinkClock { get; }

    public Uri Address => Host.Address;

    /// <param name="configure">Changes the broker node's options (a fixed port for links announced before it starts).</param>
    public static async Task<ConsoleBroker> StartAsync(
        PostgresFixture postgres, Func<BrokerServerOptions, BrokerServerOptions>? configure = null, IReadOnlyDictionary<string, string?>? settings = null)
    {
        var port = OidcProvider.FreePort();
        var linkClock = new FakeTimeProvider(TestClock.Start);
        var host = await BrokerHost.StartAsync(postgres, configure: configure, console: new ConsoleOptions
        {
            OidcAuthority = new Uri($"http://127.0.0.1:{port}"),
            OidcClientId = OidcProvider.ClientId,
            OidcClientSecret = OidcProvider.ClientSecret,
            OidcClaim = "email",
            OidcRequireHttpsMetadata = false,
        }, configureServices: s => s.AddSingleton(new SignInLinks(linkClock)), settings: settings);
        var provider = await OidcProvider.StartAsync(port, new Uri(host.Address, "signin-oidc"));
        return new ConsoleBroker(host, provider, linkClock);
    }

    /// <summary>A one-time sign-in link for <paramref name="person"/>, made by the admin as <c>aab console --as</c> does.</summary>
    public async Task<Uri> LinkForAsync(string person) => (await Host.Admin.CreateConsoleLinkAsync(person, CancellationToken.None)).Url;

    public AccessRequestBody ReadSalaries(string purpose = "Check salary rows the billing export joins on") =>
        new("app-db", [$"{Host.Database}.hr.salaries"], ["SELECT"], purpose, "15m");

    public async ValueTask DisposeAsync()
    {
        await Provider.DisposeAsync();
        await Host.DisposeAsync();
    }
}
