using System.Security.Claims;
using AgentAccessBroker.Domain;
using AgentAccessBroker.Policy;
using AgentAccessBroker.Server.Http;
using AgentAccessBroker.Storage;

namespace AgentAccessBroker.Server.WebConsole;

/// <summary>Who a console visitor is: a registered person (never an agent), found from a link or a single sign-on claim.</summary>
internal static class ConsoleIdentity
{
    public const string MethodClaim = "aab_sign_in";

    /// <summary>
    /// The person an identity provider's claim names: a principal whose id is the value, or, for an e-mail address, the
    /// policy approver with that address. Null for anyone else (unknown users see nothing).
    /// </summary>
    public static async Task<Principal?> MatchAsync(string? value, string claim, IBrokerStore store, BrokerPolicy policy, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }

        var byId = await store.GetPrincipalAsync(value, cancellationToken);
        if (byId is null && claim == Approver.EmailIdentity)
        {
            var approver = policy.ApproverGroups.SelectMany(g => g.Members).FirstOrDefault(m => m.Owns(Approver.EmailIdentity, value));
            byId = approver is null ? null : await store.GetPrincipalAsync(approver.Id, cancellationToken);
        }

        return IsPerson(byId) ? byId : null;
    }

    /// <summary>People only: agents never sign in to the console.</summary>
    public static bool IsPerson(Principal? principal) => principal is not null && !principal.Has(PrincipalRole.Agent) && principal.Roles != PrincipalRole.None;

    public static ClaimsPrincipal For(Principal principal, string method) =>
        new(new ClaimsIdentity(CallerPrincipal.ClaimsFor(principal).Append(new Claim(MethodClaim, method)), ConsoleHost.CookieScheme, ClaimTypes.NameIdentifier, ClaimTypes.Role));
}
