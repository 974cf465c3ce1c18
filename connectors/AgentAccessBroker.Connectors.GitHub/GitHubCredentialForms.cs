using AgentAccessBroker.Credentials;

namespace AgentAccessBroker.Connectors.GitHub;

/// <summary>An installation token in the shapes gh, git and the SDKs take as they are.</summary>
internal static class GitHubCredentialForms
{
    public const string Kind = "github-installation-token";
    public const string GitCredentialForm = "git_credential";
    public const string GitRemotePrefix = "git_remote:";

    public static IssuedCredential Create(string token, string gitHost, GitHubRepositories repositories)
    {
        var environment = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["GH_TOKEN"] = token,
            ["GITHUB_TOKEN"] = token,
        };

        // What a git credential helper prints for `get` (gitcredentials(7)): git then authenticates as x-access-token.
        var forms = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [GitCredentialForm] = $"protocol=https\nhost={gitHost}\nusername=x-access-token\npassword={token}\n",
        };
        foreach (var name in repositories.Names)
        {
            forms[GitRemotePrefix + repositories.Owner + "/" + name] = $"https://x-access-token:{token}@{gitHost}/{repositories.Owner}/{name}.git";
        }

        return new IssuedCredential(Kind, environment, forms);
    }
}
