using AgentAccessBroker.Credentials;
using AgentAccessBroker.Decisions;
using AgentAccessBroker.IntentAnalysis.Review;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace AgentAccessBroker.IntentAnalysis;

public static class IntentAnalysisServiceCollectionExtensions
{
    /// <summary>
    /// Registers the <see cref="IntentAnalyzer"/> as the <see cref="IRequestAssessor"/>, and the
    /// <see cref="ReviewedAssessor"/> the broker should call. The outside reviewer stays off unless
    /// <paramref name="configure"/> enables it; with an <see cref="OutsideReviewOptions.Endpoint"/> the built-in HTTP
    /// reviewer (protocol <c>aab-review/1</c>) is used, otherwise any registered <see cref="IOutsideReviewer"/>.
    /// </summary>
    public static IServiceCollection AddIntentAnalysis(this IServiceCollection services, Action<OutsideReviewOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = new OutsideReviewOptions();
        configure?.Invoke(options);
        if (options.Enabled && options.Band < 0)
        {
            throw new ArgumentException("the outside review band must not be negative", nameof(configure));
        }

        if (options.Enabled && options.Timeout <= TimeSpan.Zero)
        {
            throw new ArgumentException("the outside review timeout must be positive", nameof(configure));
        }

        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<IRequestAssessor, IntentAnalyzer>();
        services.AddSingleton(options);
        if (options.Enabled && options.Endpoint is not null)
        {
            services.AddHttpClient(nameof(HttpOutsideReviewer));
            services.AddSingleton<IOutsideReviewer>(sp => new HttpOutsideReviewer(
                sp.GetRequiredService<IHttpClientFactory>().CreateClient(nameof(HttpOutsideReviewer)),
                options,
                sp.GetService<ISecretResolver>()));
        }

        services.AddSingleton(sp => new ReviewedAssessor(
            sp.GetRequiredService<IRequestAssessor>(),
            sp.GetService<IOutsideReviewer>(),
            options,
            sp.GetRequiredService<TimeProvider>(),
            sp.GetService<ILogger<ReviewedAssessor>>() ?? NullLogger<ReviewedAssessor>.Instance));
        return services;
    }
}
