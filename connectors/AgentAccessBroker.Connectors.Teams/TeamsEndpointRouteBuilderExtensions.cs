using System.Diagnostics.CodeAnalysis;
using AgentAccessBroker.Connectors.Teams.Bot;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace AgentAccessBroker.Connectors.Teams;

public static class TeamsEndpointRouteBuilderExtensions
{
    public const string DefaultPattern = "/v1/teams/messages";

    /// <summary>
    /// Maps the bot's messaging endpoint (POST; the Azure Bot's "Messaging endpoint"). Anonymous at the HTTP level
    /// because the Bot Framework authenticates every call with a signed token: a request without a valid token for
    /// this app and this activity's service URL gets 401 and reaches nothing else.
    /// </summary>
    public static IEndpointConventionBuilder MapTeamsBot(this IEndpointRouteBuilder endpoints, [StringSyntax("Route")] string pattern = DefaultPattern)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        if (endpoints.ServiceProvider.GetService<IServiceProviderIsService>()?.IsService(typeof(TeamsBotEndpoint)) != true)
        {
            throw new InvalidOperationException("Call services.AddTeamsApprovals(...) before MapTeamsBot().");
        }

        return endpoints
            .MapPost(pattern, context => context.RequestServices.GetRequiredService<TeamsBotEndpoint>().HandleAsync(context))
            .AllowAnonymous()
            .WithDisplayName("Teams bot messages");
    }
}
