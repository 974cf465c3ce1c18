using System.Diagnostics.CodeAnalysis;
using AgentAccessBroker.Connectors.Slack.Interactivity;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace AgentAccessBroker.Connectors.Slack;

public static class SlackEndpointRouteBuilderExtensions
{
    public const string DefaultPattern = "/v1/slack/interactivity";

    /// <summary>
    /// Maps Slack's interactivity Request URL (POST). The endpoint is anonymous at the HTTP level because Slack
    /// authenticates each request with its signature: requests without a valid <c>X-Slack-Signature</c> over the raw
    /// body, or with an <c>X-Slack-Request-Timestamp</c> more than five minutes off, get 401 and reach nothing else. Valid
    /// clicks are queued and answered 200 at once. Answers 404 when the connector runs in Socket Mode only.
    /// </summary>
    public static IEndpointConventionBuilder MapSlackInteractivity(
        this IEndpointRouteBuilder endpoints, [StringSyntax("Route")] string pattern = DefaultPattern)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        if (endpoints.ServiceProvider.GetService<IServiceProviderIsService>()?.IsService(typeof(SlackInteractivityEndpoint)) != true)
        {
            throw new InvalidOperationException("Call services.AddSlackApprovals(...) before MapSlackInteractivity().");
        }

        return endpoints
            .MapPost(pattern, context => context.RequestServices.GetRequiredService<SlackInteractivityEndpoint>().HandleAsync(context))
            .AllowAnonymous()
            .WithDisplayName("Slack interactivity");
    }
}
