using System.Text;

namespace AgentAccessBroker.Server.Evidence;

/// <summary><c>controls.md</c>: which figure and which file of the pack answer which control an auditor tests.</summary>
internal static class EvidenceControls
{
    private static readonly (string Control, string Asks, string[] Figures, string Files)[] Map =
    [
        ("SOC 2 CC6.1", "Logical access to systems and data is restricted by access control software and rules.",
            ["requests", "grants_automatic", "grants_human", "denials", "leases_minted"],
            "`decisions.jsonl` (every request with the analyzer's score, factors, policy version and outcome); `grants.jsonl` (exact resources, actions and lifetime of each credential)"),
        ("SOC 2 CC6.2", "Access is granted only after registration and authorisation, and removed when no longer needed.",
            ["grants_human", "self_approvals", "self_approvals_blocked", "leases_revoked_verified", "access_changes"],
            "`decisions.jsonl` (who decided, approvers with channel identity and time); `grants.jsonl` (revoked_at, verified_at); report section \"Principal, token and lock changes\""),
        ("SOC 2 CC6.3", "Access is authorised, changed and removed by role and least privilege, with separation of duties.",
            ["self_approvals", "denials_by_approver", "task_end_to_revocation_median_s", "task_end_to_revocation_p99_s", "leases_past_end"],
            "`grants.jsonl` (one task, one scope, one lifetime per credential); `exceptions.jsonl` (kinds `self_approval`, `self_approval_blocked`, `lease_past_end`)"),
        ("SOC 2 CC7.2", "System components are monitored for anomalies, and anomalies are analysed.",
            ["revocation_failures", "revocation_failures_resolved", "revocation_failures_unresolved", "mint_failures", "approvals_expired"],
            "`exceptions.jsonl` (every failure and how it was resolved); `events.jsonl` and `chain.jsonl` (the hash-chained trail); the OCSF stream to the SIEM (`format=ocsf`)"),
        ("ISO/IEC 27001:2022 A.5.15 Access control", "Rules to control access are established and applied.",
            ["requests", "denials_by_policy", "grants_automatic"],
            "`decisions.jsonl` (policy version, score, factors and reasons of each decision)"),
        ("ISO/IEC 27001:2022 A.5.18 Access rights", "Access rights are provisioned, reviewed, modified and removed.",
            ["leases_minted", "leases_revoked_verified", "leases_live", "task_end_to_revocation_median_s", "leases_past_end", "access_changes"],
            "`grants.jsonl` (minted, expires, end, revoked and verified times of each credential)"),
        ("ISO/IEC 27001:2022 A.8.2 Privileged access rights", "Privileged access is restricted, authorised and managed.",
            ["grants_human", "self_approvals", "self_approvals_blocked", "denials_by_approver"],
            "`decisions.jsonl` (approver group, quorum, every vote with channel identity, refused votes)"),
        ("ISO/IEC 27001:2022 A.8.15 Logging", "Activities, exceptions and faults are logged, and the logs are protected.",
            ["revocation_failures", "mint_failures"],
            "`events.jsonl` (the audit events), `chain.jsonl` (the hash chain over the whole covered range), `manifest.json` + `signature.json` (signed hashes of every file)"),
    ];

    public static string Render(EvidenceModel model, string scope)
    {
        var figures = model.Figures.ToDictionary(f => f.Key, StringComparer.Ordinal);
        var md = new StringBuilder();
        md.Append("# Controls and where this pack answers them\n\n");
        md.Append("Scope: ").Append(scope).Append(".\n\n");
        md.Append("This pack is evidence an auditor can test controls with. It states what the broker's signed audit trail records; ");
        md.Append("it does not claim that any control is effective, and it is not a SOC 2 report or an ISO/IEC 27001 certificate. ");
        md.Append("The control names are the auditor's reference points; their wording below is a plain summary, not the standards' text.\n\n");
        md.Append("| Control | What it asks (summary) | Figures (report.html, Summary) | Files |\n|---|---|---|---|\n");
        foreach (var (control, asks, keys, files) in Map)
        {
            var cited = string.Join("<br>", keys.Where(figures.ContainsKey).Select(k => $"`{k}` = {figures[k].Value}"));
            md.Append("| ").Append(control).Append(" | ").Append(asks).Append(" | ").Append(cited).Append(" | ").Append(files).Append(" |\n");
        }

        md.Append("\n## How the figures are computed\n\n");
        md.Append("- A grant is *automatic* when the policy and analyzer granted it with no approval asked; *approved by a person* when an approval was asked and reached its quorum.\n");
        md.Append("- *Time from task end to revocation* counts each lease still live when its task ended (or a lock or a principal cut-off marked it due, whichever came first), from that event to the lease's `revocation.verified` event; median and p99 are nearest-rank.\n");
        md.Append($"- A lease is *past its end* when its verified revocation came more than {EvidenceModel.RevocationGrace.TotalSeconds:0} s after the earliest of its expiry, its task's end and the time it was marked due, or when that time had passed by as much without a verified revocation when the pack was made.\n");
        md.Append("- A *self-approval* is an approval that counted and was cast by the requesting agent, the task's owner or whoever started the task. The broker refuses such votes; refused attempts are counted apart (`self_approvals_blocked`).\n\n");
        md.Append("## What this pack does not show\n\n");
        md.Append("- What an agent did with a credential inside the target system: use that system's own logs (the lease id is in the session or role name where the connector allows it).\n");
        md.Append("- Events outside the covered range: the chain proves nothing was removed between the first and last event listed in `manifest.json`, not before or after.\n");
        md.Append("- The policy text itself: each decision names the policy version it was made under.\n");
        return md.ToString();
    }
}
