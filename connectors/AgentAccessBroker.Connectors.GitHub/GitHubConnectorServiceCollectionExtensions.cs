using AgentAccessBroker.Actions;
using AgentAccessBroker.Credentials;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;

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

        services.AddLogging();
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<ICredentialProvider>(sp => new InstallationTokenProvider(
            options,
            sp.GetRequiredService<ISecretResolver>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<InstallationTokenProvider>>()));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IActionVocabulary, GitHubActionVocabulary>());
        return services;
    }
}
