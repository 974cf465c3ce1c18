using AgentAccessBroker.Credentials;
using AgentAccessBroker.Decisions;
using AgentAccessBroker.IntentAnalysis.Review;
using Microsoft.Extensions.DependencyInjection;

namespace AgentAccessBroker.IntentAnalysis.Tests;

public sealed class ServiceRegistrationTests
{
    [Fact]
    public async Task AddIntentAnalysis_Defaults_RegistersTheAnalyzerWithTheReviewerOff()
    {
        using var services = new ServiceCollection().AddIntentAnalysis().BuildServiceProvider();

        Assert.IsType<IntentAnalyzer>(services.GetRequiredService<IRequestAssessor>());
        Assert.Null(services.GetService<IOutsideReviewer>());
        Assert.False(services.GetRequiredService<OutsideReviewOptions>().Enabled);
        var assessment = await services.GetRequiredService<ReviewedAssessor>().AssessAsync(new Inputs().Build(), CancellationToken.None);
        Assert.Equal(IntentAnalyzer.Name, assessment.Analyzer);
    }

    [Fact]
    public void AddIntentAnalysis_WithEndpoint_UsesTheHttpReviewer()
    {
        using var services = new ServiceCollection()
            .AddSingleton<ISecretResolver>(new Review.DictionarySecretResolver([]))
            .AddIntentAnalysis(o =>
            {
                o.Enabled = true;
                o.Endpoint = new Uri("http://127.0.0.1:9/review");
            })
            .BuildServiceProvider();

        var reviewer = services.GetRequiredService<IOutsideReviewer>();

        Assert.Equal("http:http://127.0.0.1:9/review", reviewer.Name);
    }

    [Fact]
    public void AddIntentAnalysis_NegativeBand_IsRejected()
    {
        Assert.Throws<ArgumentException>(() => new ServiceCollection().AddIntentAnalysis(o =>
        {
            o.Enabled = true;
            o.Band = -1;
        }));
    }
}
