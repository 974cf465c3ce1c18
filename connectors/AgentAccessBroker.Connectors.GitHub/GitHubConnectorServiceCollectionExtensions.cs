using AgentAccessBroker.Credentials;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AgentAccessBroker.Connectors.GitHub;

public static class GitHubConnectorServiceCollectionExtensions
{
    /// <summary>
    /// Registers the <c>github</c> credential provider (GitHub App installation tokens narrowed to the requested
    /// repositories and permissions, revoked at lease end) and its action vocabulary. The host must register an <see cref="ISecretResolver"/>
    /// (the app's private key is read through it, when minting and revoking); <see cref="TimeProvider"/> defaults to
    /// the system clock.
    /// </summary>
    /// <exception cref="ArgumentException">The options are invalid; the message lists every problem.</exception>
    public static IServiceCollection AddGitHubConnector(this IServiceCollection services, Action<GitHubConnectorOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = new GitHubConnectorOptions();
        configure?.Invoke(options);
        var problems = options.Validate();
        if (problems.Count > 0)
        {
            throw new ArgumentException("Invalid GitHub connector options: " + string.Join(" ", problems), nameof(configure));
        }

        return Register(services).ConfiguredWith(configure);
    }

    /// <summary>
    /// As <see cref="AddGitHubConnector(IServiceCollection, Action{GitHubConnectorOptions}?)"/>, with the options bound
    /// from <paramref name="configuration"/> (the host's <c>Connectors:GitHub</c> section) and checked at start-up.
    /// </summary>
    public static IServiceCollection AddGitHubConnector(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        return Register(services).BoundTo(configuration);
    }

    private static OptionsBuilder<GitHubConnectorOptions> Register(IServiceCollection services)
    {
        var options = services.AddConnectorBasics<GitHubConnectorOptions, GitHubConnectorOptionsValidation, GitHubActionVocabulary>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<ICredentialProvider, InstallationTokenProvider>(sp => new InstallationTokenProvider(
            sp.GetRequiredService<IOptions<GitHubConnectorOptions>>().Value,
            sp.GetRequiredService<ISecretResolver>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<InstallationTokenProvider>>())));
        return options;
    }
}
