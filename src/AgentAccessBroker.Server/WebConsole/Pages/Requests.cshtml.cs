using AgentAccessBroker.Brokering;
using AgentAccessBroker.Domain;
using AgentAccessBroker.Policy;
using AgentAccessBroker.Storage;
using Microsoft.AspNetCore.Mvc;

namespace AgentAccessBroker.Server.WebConsole.Pages;

/// <summary>Searchable history of requests and their decisions. Approvers see their own groups' targets; auditors and admins see all.</summary>
public sealed class RequestsModel(IBrokerStore store, IPolicySource policies) : ConsolePageModel
{
    private const int Shown = 200;

    [BindProperty(SupportsGet = true)] public string? Agent { get; set; }

    [BindProperty(SupportsGet = true)] public string? Task { get; set; }

    [BindProperty(SupportsGet = true)] public string? Decision { get; set; }

    [BindProperty(SupportsGet = true)] public string? Sensitivity { get; set; }

    [BindProperty(SupportsGet = true)] public DateTime? From { get; set; }

    [BindProperty(SupportsGet = true)] public DateTime? To { get; set; }

    [BindProperty(SupportsGet = true)] public string? Q { get; set; }

    public IReadOnlyList<(AccessRequest Request, Sensitivity Sensitivity)> Rows { get; private set; } = [];

    public int Matched { get; private set; }

    public async System.Threading.Tasks.Task OnGetAsync(CancellationToken cancellationToken)
    {
        var policy = policies.Current;
        var caller = Caller;
        RequestStatus? status = Enum.TryParse<RequestStatus>(Decision, ignoreCase: true, out var s) ? s : null;
        Sensitivity? sensitivity = Enum.TryParse<Sensitivity>(Sensitivity, ignoreCase: true, out var v) ? v : null;
        var everything = caller.Has(PrincipalRole.Admin) || caller.Has(PrincipalRole.Auditor);
        var requests = await store.ListRequestsAsync(
            new RequestQuery(AgentId: Blank(Agent), TaskId: Blank(Task), Status: status, Limit: 5000), cancellationToken);
        var rows = new List<(AccessRequest, Sensitivity)>();
        foreach (var r in requests)
        {
            var target = policy.FindTarget(r.Target);
            if (!everything && (target is null || policy.FindApproverGroup(target.ApproverGroup)?.FindById(caller.Id) is null))
            {
                continue;
            }

            var level = PendingApprovals.SensitivityOf(r, target);
            if ((sensitivity is { } wanted && level != wanted)
                || (From is { } from && r.CreatedAt < new DateTimeOffset(DateTime.SpecifyKind(from, DateTimeKind.Utc)))
                || (To is { } to && r.CreatedAt >= new DateTimeOffset(DateTime.SpecifyKind(to, DateTimeKind.Utc)))
                || (Blank(Q) is { } q && !Matches(r, q)))
            {
                continue;
            }

            rows.Add((r, level));
        }

        Matched = rows.Count;
        Rows = rows.OrderByDescending(r => r.Item1.CreatedAt).Take(Shown).ToList();
    }

    private static bool Matches(AccessRequest r, string q) =>
        r.Id.Contains(q, StringComparison.OrdinalIgnoreCase) || r.Purpose.Contains(q, StringComparison.OrdinalIgnoreCase)
        || r.Target.Contains(q, StringComparison.OrdinalIgnoreCase)
        || r.Resources.Any(x => x.Contains(q, StringComparison.OrdinalIgnoreCase)) || r.Actions.Any(x => x.Contains(q, StringComparison.OrdinalIgnoreCase));

    private static string? Blank(string? text) => string.IsNullOrWhiteSpace(text) ? null : text.Trim();
}
