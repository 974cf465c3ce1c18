using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using AgentAccessBroker.Text;

namespace AgentAccessBroker.Server.Evidence;

/// <summary>
/// <c>report.html</c>: one self-contained page (inline CSS and SVG, no script, no external asset; its content security
/// policy forbids any fetch) that prints as it shows. Every value the verifier recomputes carries a <c>data-fact</c>
/// attribute with its key.
/// </summary>
internal static class EvidenceReport
{
    public const string FactAttribute = "data-fact";

    internal sealed record Header(string Scope, DateTimeOffset GeneratedAt, long? FirstSequence, long? LastSequence, int Events, string KeyId);

    public static string Render(EvidenceModel model, Header header)
    {
        var html = new StringBuilder();
        html.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
        html.Append("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\">\n");
        html.Append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
        html.Append(CultureInfo.InvariantCulture, $"<title>Access evidence: {E(header.Scope)}</title>\n<style>{Style}</style>\n</head>\n<body>\n");
        html.Append("<header>\n<h1>Access evidence</h1>\n");
        html.Append(CultureInfo.InvariantCulture, $"<p class=\"meta\">Scope: <strong>{E(header.Scope)}</strong> · made {E(EvidenceModel.Time(header.GeneratedAt))} · ");
        html.Append(CultureInfo.InvariantCulture, $"audit events {(header.FirstSequence is null ? "none" : $"#{header.FirstSequence}–#{header.LastSequence}")} ({header.Events} in scope) · signed with audit key {E(header.KeyId)}</p>\n");
        html.Append("<p class=\"note\">Everything below is computed from the signed audit events in this pack; <code>aab evidence verify</code> computes it again and fails if any figure disagrees. ");
        html.Append("It is evidence for testing access controls (see <code>controls.md</code>), not a certification of compliance.</p>\n</header>\n");

        Summary(html, model);
        foreach (var task in model.Tasks)
        {
            TaskSection(html, model, task);
        }

        Exceptions(html, model);
        AccessChanges(html, model);
        html.Append("<footer><h2>How to check this pack</h2><pre>aab audit public-key &gt; broker.pem        # once, from the broker, over a trusted channel\naab evidence verify THIS-DIRECTORY --public-key broker.pem</pre>");
        html.Append("<p>The check recomputes every file's SHA-256 against the signed <code>manifest.json</code>, the signature, the hash chain of <code>events.jsonl</code> against <code>chain.jsonl</code>, and every figure and population line from the events.</p></footer>\n");
        html.Append("</body>\n</html>\n");
        return html.ToString();
    }

    /// <summary>
    /// Untrusted text (purposes, task descriptions, comments) and everything else: through the one sanitiser (control
    /// characters shown as control pictures, bidi and invisible characters removed), then HTML-encoded for element text
    /// and attributes.
    /// </summary>
    internal static string E(string? text) => HtmlEncoder.Default.Encode(UntrustedText.Sanitise(text));

    private static void Summary(StringBuilder html, EvidenceModel model)
    {
        html.Append("<section id=\"summary\">\n<h2>Summary</h2>\n<table class=\"figures\">\n<thead><tr><th>Figure</th><th>Value</th><th>Key</th></tr></thead>\n<tbody>\n");
        foreach (var figure in model.Figures)
        {
            var flag = figure.Key is "self_approvals" or "leases_past_end" or "revocation_failures_unresolved" or "leases_live" && figure.Value != "0" ? " class=\"flag\"" : string.Empty;
            html.Append(CultureInfo.InvariantCulture, $"<tr{flag}><td>{E(figure.Label)}</td><td class=\"num\" {FactAttribute}=\"figure.{E(figure.Key)}\">{E(figure.Value)}</td><td><code>{E(figure.Key)}</code></td></tr>\n");
        }

        html.Append("</tbody>\n</table>\n</section>\n");
    }

    private static void TaskSection(StringBuilder html, EvidenceModel model, EvidenceTask task)
    {
        var requests = model.Requests.Where(r => r.TaskId == task.Id).ToList();
        var leases = model.Leases.Where(l => l.TaskId == task.Id).ToList();
        html.Append(CultureInfo.InvariantCulture, $"<section class=\"task\" id=\"task-{E(task.Id)}\">\n<h2>Task <code>{E(task.Id)}</code></h2>\n<dl class=\"grid\">");
        Field(html, "Agent", task.AgentId);
        Field(html, "On behalf of", task.Owner);
        Field(html, "Started by", task.StartedBy);
        Field(html, "Declared task", task.Description);
        Field(html, "Environment", task.Environment);
        Field(html, "Started", EvidenceModel.Time(task.StartedAt));
        Field(html, "Ended", task.EndedAt is null ? "not ended when the pack was made" : $"{EvidenceModel.Time(task.EndedAt)} ({task.EndedBy}{(task.EndReason is { Length: > 0 } r ? ": " + r : string.Empty)})");
        html.Append("</dl>\n<figure class=\"timeline\">");
        html.Append(EvidenceTimeline.Render(task, leases, model.AsOf, E));
        html.Append("<figcaption>Each bar is a lease, from minting to verified revocation (green: on time; orange: more than the grace after its end; red: not revoked). ");
        html.Append("The black tick is when the lease had to end (its expiry, the task's end, or a lock or cut-off that marked it due); circles are failed revocation attempts; the dashed line is the task's end.</figcaption></figure>\n");
        foreach (var request in requests)
        {
            RequestArticle(html, model, task, request);
        }

        html.Append("</section>\n");
    }

    private static void RequestArticle(StringBuilder html, EvidenceModel model, EvidenceTask task, EvidenceRequest r)
    {
        html.Append(CultureInfo.InvariantCulture, $"<article class=\"request {(r.IsGrant ? "grant" : r.IsDenial ? "denial" : "other")}\" id=\"request-{E(r.Id)}\">\n");
        html.Append(CultureInfo.InvariantCulture, $"<h3>Request <code>{E(r.Id)}</code>: <span {FactAttribute}=\"request.{E(r.Id)}.outcome\">{E(r.Outcome)}</span></h3>\n<table class=\"fields\">\n");
        Row(html, "Who asked", r.AgentId);
        Row(html, "On behalf of", task.Owner);
        Row(html, "Declared task", task.Description);
        Row(html, "Purpose (as stated by the agent)", r.Purpose, "purpose");
        Row(html, "Asked for", $"{r.Target}: {string.Join(", ", r.Actions)} on {string.Join(", ", r.Resources)} for {Duration(r.RequestedSeconds)} (received {EvidenceModel.Time(r.ReceivedAt)}, policy {r.PolicyVersion})");
        html.Append(CultureInfo.InvariantCulture, $"<tr><th>Analyzer score</th><td><span {FactAttribute}=\"request.{E(r.Id)}.score\">{E(r.Score?.ToString(CultureInfo.InvariantCulture) ?? "-")}</span> ({E(r.Analyzer)}: {E(r.AnalyzerDecision)})");
        if (r.Factors.Count > 0)
        {
            html.Append("<ul class=\"factors\">");
            foreach (var f in r.Factors)
            {
                html.Append(CultureInfo.InvariantCulture, $"<li><code>{E(f.Code)}</code> {(f.Points >= 0 ? "+" : string.Empty)}{f.Points}: {E(f.Explanation)}</li>");
            }

            html.Append("</ul>");
        }

        html.Append("</td></tr>\n");
        html.Append(CultureInfo.InvariantCulture, $"<tr><th>Decision</th><td>{E(r.Outcome)} by {E(r.DecidedBy ?? "-")} at <span {FactAttribute}=\"request.{E(r.Id)}.decided_at\">{E(EvidenceModel.Time(r.DecidedAt))}</span>{(r.Why is { Length: > 0 } why ? ": " + E(why) : string.Empty)}</td></tr>\n");
        html.Append(CultureInfo.InvariantCulture, $"<tr><th>Approved by</th><td {FactAttribute}=\"request.{E(r.Id)}.approvers\">{E(EvidenceModel.Approvers(r))}</td></tr>\n");
        if (r.Votes.Count > 0)
        {
            Row(html, "Votes", string.Join("; ", r.Votes.Select(v =>
                $"{v.ApproverId} {(v.Approve ? "approve" : "deny")} via {v.Channel}{(v.ChannelIdentity is { Length: > 0 } id ? $" ({id})" : string.Empty)} at {EvidenceModel.Time(v.At)}{(v.Rejection is null ? string.Empty : $" REFUSED: {v.Rejection}")}{(v.Comment is { Length: > 0 } c ? $", \u201c{c}\u201d" : string.Empty)}")));
        }

        if (r.ClaimRefused is not null)
        {
            Row(html, "Claim refused", r.ClaimRefused);
        }

        if (r.IsGrant)
        {
            Row(html, "Granted lifetime", Duration(r.GrantedSeconds));
        }

        html.Append("</table>\n");
        foreach (var lease in model.Leases.Where(l => l.RequestId == r.Id))
        {
            LeaseTable(html, lease);
        }

        html.Append("</article>\n");
    }

    private static void LeaseTable(StringBuilder html, EvidenceLease l)
    {
        html.Append(CultureInfo.InvariantCulture, $"<table class=\"fields lease\"><caption>Lease <code>{E(l.Id)}</code> ({E(l.Provider)})</caption>\n");
        Row(html, "Exact scope", $"{l.Target}: {string.Join(", ", l.Actions)} on {string.Join(", ", l.Resources)}");
        if (l.MintFailure is not null)
        {
            Row(html, "Mint failed", $"{EvidenceModel.Time(l.MintFailedAt)}: {l.MintFailure}");
        }

        Fact(html, "Minted", $"lease.{l.Id}.minted_at", EvidenceModel.Time(l.MintedAt));
        Fact(html, "Expires", $"lease.{l.Id}.expires_at", EvidenceModel.Time(l.ExpiresAt));
        Row(html, "Access had to end", EvidenceModel.Time(l.EndAt));
        Row(html, "Revocation requested", l.RevocationRequestedAt is null ? "-" : $"{EvidenceModel.Time(l.RevocationRequestedAt)} by {l.RevocationRequestedBy} ({l.RevocationReason})");
        foreach (var failure in l.RevocationFailures)
        {
            Row(html, $"Revocation attempt {failure.Attempt} failed", $"{EvidenceModel.Time(failure.At)}: {failure.Detail}", "failure");
        }

        foreach (var fallback in l.Fallbacks)
        {
            Row(html, "Revocation fallback", fallback);
        }

        Fact(html, "Revoked", $"lease.{l.Id}.revoked_at", EvidenceModel.Time(l.RevokedAt));
        Fact(html, "Revocation verified", $"lease.{l.Id}.verified_at", EvidenceModel.Time(l.VerifiedAt));
        Row(html, "How it was verified", l.Verification ?? "-");
        Fact(html, "Past its end", $"lease.{l.Id}.past_end", l.PastEnd ? "yes" : "no");
        html.Append("</table>\n");
    }

    private static void Exceptions(StringBuilder html, EvidenceModel model)
    {
        html.Append("<section id=\"exceptions\">\n<h2>Exceptions</h2>\n");
        if (model.Exceptions.Count == 0)
        {
            html.Append("<p>None.</p>\n</section>\n");
            return;
        }

        html.Append("<table class=\"list\"><thead><tr><th>Kind</th><th>At</th><th>Task / request / lease</th><th>What happened</th><th>Resolution</th></tr></thead><tbody>\n");
        foreach (var x in model.Exceptions)
        {
            html.Append(CultureInfo.InvariantCulture, $"<tr><td><code>{E(x.Kind)}</code></td><td>{E(x.At)}</td><td>{E(x.TaskId)}<br>{E(x.RequestId)}<br>{E(x.LeaseId)}</td><td>{E(x.Detail)}</td><td>{E(x.Resolution)}{(x.ResolvedAt is null ? string.Empty : " (" + E(x.ResolvedAt) + ")")}</td></tr>\n");
        }

        html.Append("</tbody></table>\n</section>\n");
    }

    private static void AccessChanges(StringBuilder html, EvidenceModel model)
    {
        if (model.AccessChanges.Count == 0)
        {
            return;
        }

        html.Append("<section id=\"access-changes\">\n<h2>Principal, token and lock changes</h2>\n<table class=\"list\"><thead><tr><th>At</th><th>Event</th><th>By</th><th>Subject</th></tr></thead><tbody>\n");
        foreach (var (at, type, actor, detail) in model.AccessChanges)
        {
            html.Append(CultureInfo.InvariantCulture, $"<tr><td>{E(EvidenceModel.Time(at))}</td><td><code>{E(type)}</code></td><td>{E(actor)}</td><td>{E(detail)}</td></tr>\n");
        }

        html.Append("</tbody></table>\n</section>\n");
    }

    private static void Field(StringBuilder html, string name, string? value) =>
        html.Append(CultureInfo.InvariantCulture, $"<dt>{E(name)}</dt><dd>{E(value ?? "-")}</dd>");

    private static void Row(StringBuilder html, string name, string? value, string? cssClass = null) =>
        html.Append(CultureInfo.InvariantCulture, $"<tr{(cssClass is null ? string.Empty : $" class=\"{cssClass}\"")}><th>{E(name)}</th><td>{E(value ?? "-")}</td></tr>\n");

    private static void Fact(StringBuilder html, string name, string key, string value) =>
        html.Append(CultureInfo.InvariantCulture, $"<tr><th>{E(name)}</th><td {FactAttribute}=\"{E(key)}\">{E(value)}</td></tr>\n");

    private static string Duration(long? seconds) => seconds is { } s ? TimeSpan.FromSeconds(s).ToString(s >= 86400 ? @"d\.hh\:mm\:ss" : @"hh\:mm\:ss", CultureInfo.InvariantCulture) : "-";

    private const string Style = """

        body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1b1f24; margin: 24px auto; max-width: 1000px; padding: 0 16px; }
        h1 { font-size: 26px; margin: 0 0 4px; } h2 { font-size: 19px; border-bottom: 2px solid #d0d7de; padding-bottom: 3px; margin-top: 28px; }
        h3 { font-size: 15px; margin: 18px 0 6px; } code { font: 12px ui-monospace, SFMono-Regular, Menlo, monospace; background: #f3f4f6; padding: 0 3px; border-radius: 3px; }
        .meta { color: #424a53; } .note { background: #eef6ff; border-left: 4px solid #1565c0; padding: 6px 10px; }
        table { border-collapse: collapse; width: 100%; margin: 6px 0 10px; } th, td { border: 1px solid #d0d7de; padding: 4px 7px; vertical-align: top; text-align: left; }
        th { background: #f6f8fa; font-weight: 600; } table.fields th { width: 230px; } td.num { text-align: right; font-variant-numeric: tabular-nums; font-weight: 600; width: 90px; }
        tr.flag td { background: #fdecea; } tr.failure td { color: #b3261e; } caption { text-align: left; font-weight: 600; padding: 4px 0; }
        dl.grid { display: grid; grid-template-columns: 160px 1fr; gap: 2px 12px; } dt { font-weight: 600; color: #424a53; } dd { margin: 0; }
        article.request { border: 1px solid #d0d7de; border-left-width: 5px; border-radius: 4px; padding: 4px 12px; margin: 12px 0; page-break-inside: avoid; }
        article.grant { border-left-color: #2e7d32; } article.denial { border-left-color: #b3261e; } article.other { border-left-color: #8c959f; }
        ul.factors { margin: 4px 0 0; padding-left: 18px; } figure.timeline { margin: 10px 0; overflow-x: auto; } figcaption { color: #57606a; font-size: 12px; }
        svg text.axis { font: 11px system-ui, sans-serif; fill: #57606a; } svg text.label { font: 11px ui-monospace, monospace; fill: #1b1f24; }
        footer { margin-top: 30px; color: #424a53; } pre { background: #f6f8fa; padding: 8px; overflow-x: auto; }
        @media print { body { margin: 0; max-width: none; font-size: 11px; } h2 { page-break-after: avoid; } section.task { page-break-before: auto; } .note { border-left-color: #000; } }

        """;
}
