using AgentAccessBroker.Actions;
using AgentAccessBroker.Credentials;
using AgentAccessBroker.Domain;
using Microsoft.Extensions.DependencyInjection;

namespace AgentAccessBroker.Connectors.GitHub.Tests;

public sealed class ActionVocabularyTests
{
    private readonly GitHubActionVocabulary _vocabulary = new();

    [Theory]
    [InlineData("contents:read", ActionClass.Read, ActionTraits.DataAccess | ActionTraits.SourceCode)]
    [InlineData("actions:read", ActionClass.Read, ActionTraits.None)]
    [InlineData("metadata:read", ActionClass.Read, ActionTraits.None)]
    [InlineData("contents:write", ActionClass.Write, ActionTraits.DataAccess | ActionTraits.SourceCode)]
    [InlineData("issues:write", ActionClass.Write, ActionTraits.DataAccess | ActionTraits.WorkRecordsOnly)]
    [InlineData("discussions:write", ActionClass.Write, ActionTraits.DataAccess | ActionTraits.WorkRecordsOnly)]
    [InlineData("pull_requests:write", ActionClass.Write, ActionTraits.DataAccess | ActionTraits.WorkRecordsOnly | ActionTraits.ProposesForReview)]
    [InlineData("security_events:write", ActionClass.Write, ActionTraits.LoggingWeaken)]
    [InlineData("administration:write", ActionClass.PrivilegeChange, ActionTraits.PolicyAttach)]
    [InlineData("administration:read", ActionClass.Read, ActionTraits.None)]
    [InlineData("members:write", ActionClass.PrivilegeChange, ActionTraits.IdentityCreate | ActionTraits.PolicyAttach)]
    [InlineData("organization_administration:write", ActionClass.PrivilegeChange, ActionTraits.PolicyAttach)]
    [InlineData("organization_projects:write", ActionClass.PrivilegeChange, ActionTraits.PolicyAttach)]
    [InlineData("secrets:write", ActionClass.Write, ActionTraits.DataAccess | ActionTraits.SetsSecret)]
    [InlineData("dependabot_secrets:write", ActionClass.Write, ActionTraits.DataAccess | ActionTraits.SetsSecret)]
    [InlineData("organization_secrets:write", ActionClass.PrivilegeChange, ActionTraits.SecretRead)]
    [InlineData("environments:write", ActionClass.PrivilegeChange, ActionTraits.SecretRead)]
    [InlineData("secrets:read", ActionClass.Read, ActionTraits.SecretRead)]
    [InlineData("organization_secrets:read", ActionClass.Read, ActionTraits.SecretRead)]
    [InlineData("workflows:write", ActionClass.PrivilegeChange, ActionTraits.SecretRead)]
    [InlineData("contents:admin", ActionClass.PrivilegeChange, ActionTraits.PolicyAttach)]
    public void Classify_KnownPermission_HasClassAndTraits(string action, ActionClass expectedClass, ActionTraits traits)
    {
        var classified = _vocabulary.Classify(action);

        Assert.NotNull(classified);
        Assert.Equal(expectedClass, classified.Value.Class);
        Assert.Equal(traits, classified.Value.Traits);
    }

    [Theory]
    [InlineData("teleport:write")]
    [InlineData("contents")]
    [InlineData("contents:delete")]
    [InlineData("Contents:write")]
    [InlineData("s3:GetObject")]
    public void Classify_UnknownOrMalformed_IsNull(string action) => Assert.Null(_vocabulary.Classify(action));

    [Theory]
    [InlineData("contents:write", "contents:read")]
    [InlineData("pull_requests:write", "pull_requests:read")]
    [InlineData("administration:write", "administration:read")]
    [InlineData("workflows:write", "contents:read")]
    public void ReadCounterparts_Write_IsTheSamePermissionsRead(string action, string counterpart) =>
        Assert.Equal([counterpart], _vocabulary.ReadCounterparts(action));

    [Theory]
    [InlineData("contents:read")]
    [InlineData("secrets:write")]
    [InlineData("unknown:write")]
    public void ReadCounterparts_ReadSecretOrUnknown_IsEmpty(string action) => Assert.Empty(_vocabulary.ReadCounterparts(action));

    [Theory]
    [InlineData("acme/api", true)]
    [InlineData("acme/*", true)]
    [InlineData("acme", false)]
    [InlineData("arn:aws:s3:::bucket", false)]
    [InlineData("app.public.invoices", false)]
    public void RecognisesResource_OwnerSlashRepo_Only(string resource, bool expected) =>
        Assert.Equal(expected, _vocabulary.RecognisesResource(resource));

    [Fact]
    public void AddGitHubConnector_RegistersVocabularyUnderTheProvidersName()
    {
        using var services = new ServiceCollection().AddSingleton<ISecretResolver, EnvironmentAndFileSecretResolver>().AddGitHubConnector().BuildServiceProvider();

        var vocabularies = new ActionVocabularies(services.GetServices<IActionVocabulary>());

        Assert.Equal("github", services.GetRequiredService<ICredentialProvider>().Name);
        Assert.Same(vocabularies.For("github"), Assert.Single(services.GetServices<IActionVocabulary>()));
    }
}
