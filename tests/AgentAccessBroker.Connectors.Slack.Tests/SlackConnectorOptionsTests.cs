using AgentAccessBroker.Connectors.Slack.Tests.Fakes;
using AgentAccessBroker.Credentials;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using AgentAccessBroker.Testing.Fakes;

namespace AgentAccessBroker.Connectors.Slack.Tests;

public sealed class SlackConnectorOptionsTests
{
    [Fact]
    public void ToString_SecretValuesSet_ShowsReferencesAndRedactsValues()
    {
        var options = new SlackConnectorOptions
        {
            BotToken = FakeSlack.BotToken,
            SigningSecret = BrokerHost.SigningSecret,
            AppTokenRef = new SecretReference(SecretSource.File, "/run/secrets/slack-app"),
            DefaultChannel = "C0DEFAULT",
        };

        var text = options.ToString();

        Assert.DoesNotContain(FakeSlack.BotToken, text, StringComparison.Ordinal);
        Assert.DoesNotContain(BrokerHost.SigningSecret, text, StringComparison.Ordinal);
        Assert.Contains("BotToken = [redacted]", text, StringComparison.Ordinal);
        Assert.Contains("AppToken = file:/run/secrets/slack-app", text, StringComparison.Ordinal);
        Assert.Contains("C0DEFAULT", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Defaults_SecretsReferToAabEnvironmentVariables()
    {
        var options = new SlackConnectorOptions();

        Assert.Equal("environment:AAB_SLACK_BOT_TOKEN", options.BotTokenRef!.ToString());
        Assert.Equal("environment:AAB_SLACK_SIGNING_SECRET", options.SigningSecretRef!.ToString());
        Assert.Equal("environment:AAB_SLACK_APP_TOKEN", options.AppTokenRef!.ToString());
        Assert.Equal(SlackConnectionMode.Http, options.Mode);
        Assert.Equal(new Uri("https://slack.com/api/"), options.ApiBaseUrl);
        Assert.Equal(TimeSpan.FromMinutes(15), options.ShorterDuration);
    }

    [Fact]
    public async Task Start_InvalidOptions_FailsListingEveryProblemWithoutSecretValues()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton<ISecretResolver>(new DictionarySecretResolver(new Dictionary<string, string>()));
        builder.Services.AddSlackApprovals(o =>
        {
            o.Mode = SlackConnectionMode.Both;
            o.AppToken = "xoxb-a-bot-token-where-an-app-token-belongs-7788";
            o.ApiBaseUrl = new Uri("ftp://slack.example/");
            o.ShorterDuration = TimeSpan.Zero;
        });
        await using var app = builder.Build();

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => app.StartAsync());

        Assert.Contains(error.Failures, f => f.Contains("BotToken", StringComparison.Ordinal) && f.Contains("environment:AAB_SLACK_BOT_TOKEN", StringComparison.Ordinal));
        Assert.Contains(error.Failures, f => f.Contains("SigningSecret", StringComparison.Ordinal));
        Assert.Contains(error.Failures, f => f.Contains("AppToken", StringComparison.Ordinal) && f.Contains("xapp-", StringComparison.Ordinal));
        Assert.Contains(error.Failures, f => f.Contains("ApiBaseUrl", StringComparison.Ordinal));
        Assert.Contains(error.Failures, f => f.Contains("ShorterDuration", StringComparison.Ordinal));
        Assert.DoesNotContain("7788", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MapSlackInteractivity_WithoutAddSlackApprovals_ExplainsWhatIsMissing()
    {
        var builder = WebApplication.CreateSlimBuilder();
        var app = builder.Build();

        var error = Assert.Throws<InvalidOperationException>(() => app.MapSlackInteractivity());

        Assert.Contains("AddSlackApprovals", error.Message, StringComparison.Ordinal);
    }
}
