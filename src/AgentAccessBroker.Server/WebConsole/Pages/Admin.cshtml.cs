using AgentAccessBroker.Domain;
using AgentAccessBroker.Policy;
using AgentAccessBroker.Storage;
using Microsoft.AspNetCore.Authorization;

namespace AgentAccessBroker.Server.WebConsole.Pages;

/// <summary>Principals, and the policy in force with its load status and the problems of a refused edit.</summary>
[Authorize(Policy = ConsolePolicies.Admin)]
public sealed class AdminModel(IBrokerStore store, IPolicySource policies, PolicyLoadStatus status) : ConsolePageModel
{
    public IReadOnlyList<Principal> Principals { get; private set; } = [];

    public BrokerPolicy Policy => policies.Current;

    public PolicyLoadStatus Status => status;

    public async Task OnGetAsync(CancellationToken cancellationToken) =>
        Principals = (await store.ListPrincipalsAsync(cancellationToken)).OrderBy(p => p.Has(PrincipalRole.Agent)).ThenBy(p => p.Id, StringComparer.Ordinal).ToList();

    public static string RolesOf(Principal principal) =>
        string.Join(", ", Enum.GetValues<PrincipalRole>().Where(r => r != PrincipalRole.None && principal.Has(r)).Select(r => r.ToString().ToLowerInvariant()));
}
