using System.Security.Claims;
using AgentAccessBroker.Domain;

namespace AgentAccessBroker.Server.Http;

/// <summary>Carries the authenticated broker principal on the request's claims identity.</summary>
internal static class CallerPrincipal
{
    private const string ItemKey = "aab.principal";

    public static void Attach(HttpContext context, Principal principal) => context.Items[ItemKey] = principal;

    /// <summary>The authenticated caller. Endpoints behind authorization always have one.</summary>
    public static Principal Caller(this HttpContext context) =>
        context.Items[ItemKey] as Principal ?? throw new InvalidOperationException("No authenticated principal on this request.");

    public static IEnumerable<Claim> ClaimsFor(Principal principal)
    {
        yield return new Claim(ClaimTypes.NameIdentifier, principal.Id);
        foreach (var role in Enum.GetValues<PrincipalRole>().Where(r => r != PrincipalRole.None && principal.Has(r)))
        {
            yield return new Claim(ClaimTypes.Role, role.ToString());
        }
    }
}
