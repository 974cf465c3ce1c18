using AgentAccessBroker.Credentials;
using AgentAccessBroker.Domain;
using AgentAccessBroker.Policy;

namespace AgentAccessBroker.Core.Tests.Policy;

public sealed class ResourceMatchingTests
{
    private static ResourcePolicy Resource(string pattern, Sensitivity sensitivity = Sensitivity.Medium) =>
        new(pattern, sensitivity, "dev", [], null);

    [Theory]
    [InlineData("app.public.*", "app.public.invoices", true)]
    [InlineData("app.public.*", "app.public.", true)]
    [InlineData("app.public.*", "app.public", false)]
    [InlineData("app.public.*", "app.hr.salaries", false)]
    [InlineData("app.*.invoices", "app.public.invoices", true)]
    [InlineData("app.*.invoices", "app.public.invoices_old", false)]
    [InlineData("*", "anything.at.all", true)]
    [InlineData("*", "", true)]
    [InlineData("app.public.invoices", "app.public.invoices", true)]
    [InlineData("app.public.invoices", "app.public.invoice", false)]
    [InlineData("app.public.invoices", "App.Public.Invoices", false)]
    [InlineData("a*b*c", "aXXbYYbZZc", true)]
    [InlineData("a*b*c", "aXXbYYcZZ", false)]
    [InlineData("arn:aws:s3:::billing-exports/*", "arn:aws:s3:::billing-exports/2026/11/report.csv", true)]
    public void Matches_Glob_MatchesAnyRunOfCharacters(string pattern, string resource, bool expected)
    {
        Assert.Equal(expected, Resource(pattern).Matches(resource));
    }

    [Fact]
    public void Matches_ManyStarsAgainstLongMismatch_FinishesQuickly()
    {
        var pattern = string.Concat(Enumerable.Repeat("a*", 30)) + "b";
        var value = new string('a', 10_000);

        Assert.False(Resource(pattern).Matches(value));
    }

    [Fact]
    public void Match_ExactNameAndGlobs_MostSpecificEntryWins()
    {
        var target = new TargetPolicy(
            "app-db",
            string.Empty,
            new TargetSettings("app-db", "postgresql", new Dictionary<string, string>(), new Dictionary<string, SecretReference>()),
            "platform",
            [Resource("app.*", Sensitivity.Low), Resource("app.public.*"), Resource("app.public.invoices", Sensitivity.High), Resource("app.hr.*", Sensitivity.Critical)]);

        Assert.Equal("app.public.invoices", target.Match("app.public.invoices")!.Pattern);
        Assert.Equal("app.public.*", target.Match("app.public.customers")!.Pattern);
        Assert.Equal("app.hr.*", target.Match("app.hr.salaries")!.Pattern);
        Assert.Equal("app.*", target.Match("app.audit.log")!.Pattern);
        Assert.Null(target.Match("crm.public.contacts"));
    }

    [Fact]
    public void Specificity_ExactNameBeatsLongerGlob()
    {
        Assert.True(Resource("a").Specificity > Resource("a.very.long.literal.prefix.*").Specificity);
        Assert.True(Resource("app.public.*").Specificity > Resource("app.*").Specificity);
    }
}
