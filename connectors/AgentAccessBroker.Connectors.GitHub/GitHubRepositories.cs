using System.Text.RegularExpressions;
using AgentAccessBroker.Credentials;
using AgentAccessBroker.Text;

namespace AgentAccessBroker.Connectors.GitHub;

/// <summary>
/// The repositories of one request, <c>owner/repo</c>, all on one account: an installation token names repositories
/// of the installation's account only, by their short names.
/// </summary>
internal sealed partial record GitHubRepositories(string Owner, IReadOnlyList<string> Names)
{
    /// <summary>GitHub's cap on the repositories one installation token may name.</summary>
    public const int MaxRepositories = 500;

    public static GitHubRepositories Parse(IReadOnlyList<string> resources)
    {
        if (resources.Count == 0)
        {
            throw new CredentialRequestException("github_no_repository", "Name at least one repository as owner/repo.") { NothingCreated = true };
        }

        string? owner = null;
        var names = new SortedSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var resource in resources)
        {
            var match = RepositoryPattern().Match(resource);
            if (!match.Success)
            {
                throw new CredentialRequestException(
                    "github_bad_repository",
                    $"'{UntrustedText.Excerpt(resource)}' is not a repository: name each one exactly as owner/repo (no wildcards; a token covers named repositories only).")
                { NothingCreated = true };
            }

            var thisOwner = match.Groups["owner"].Value;
            if (owner is not null && !owner.Equals(thisOwner, StringComparison.OrdinalIgnoreCase))
            {
                throw new CredentialRequestException(
                    "github_mixed_owners",
                    $"Repositories of '{UntrustedText.Excerpt(owner)}' and '{UntrustedText.Excerpt(thisOwner)}' cannot share one token: an installation token covers one account; ask once per owner.")
                { NothingCreated = true };
            }

            owner = thisOwner;
            names.Add(match.Groups["repo"].Value);
        }

        if (names.Count > MaxRepositories)
        {
            throw new CredentialRequestException("github_too_many_repositories", $"{names.Count} repositories asked; GitHub allows at most {MaxRepositories} per token.") { NothingCreated = true };
        }

        return new GitHubRepositories(owner!, [.. names]);
    }

    [GeneratedRegex("^(?<owner>[A-Za-z0-9](?:[A-Za-z0-9-]{0,38}))/(?<repo>[A-Za-z0-9._-]{1,100})$")]
    private static partial Regex RepositoryPattern();
}
