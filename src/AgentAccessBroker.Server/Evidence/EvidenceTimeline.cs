using System.Globalization;
using System.Text;

namespace AgentAccessBroker.Server.Evidence;

/// <summary>The leases of one task on a time axis, as inline SVG (no script, no external asset).</summary>
internal static class EvidenceTimeline
{
    private const int Width = 960;
    private const int Left = 190;
    private const int Right = 20;
    private const int Row = 24;
    private const int Top = 28;

    public static string Render(EvidenceTask task, IReadOnlyList<EvidenceLease> leases, DateTimeOffset asOf, Func<string?, string> encode)
    {
        var minted = leases.Where(l => l.MintedAt is not null).ToList();
        var start = new[] { task.StartedAt, minted.Select(l => l.MintedAt).Min() }.Where(t => t is not null).Select(t => t!.Value).DefaultIfEmpty(asOf).Min();
        var ends = minted.Select(l => l.VerifiedAt ?? asOf).Append(task.EndedAt ?? start).Concat(minted.Select(l => l.EndAt ?? start));
        var end = ends.Max();
        if (end <= start)
        {
            end = start + TimeSpan.FromMinutes(1);
        }

        var height = Top + (Math.Max(minted.Count, 1) * Row) + 30;
        var span = (end - start).TotalMilliseconds;
        double X(DateTimeOffset t) => Left + ((Width - Left - Right) * (t - start).TotalMilliseconds / span);
        string F(double v) => v.ToString("0.#", CultureInfo.InvariantCulture);

        var svg = new StringBuilder();
        svg.Append(CultureInfo.InvariantCulture, $"<svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" width=\"{Width}\" height=\"{height}\" viewBox=\"0 0 {Width} {height}\" aria-labelledby=\"tl-{encode(task.Id)}\">");
        svg.Append(CultureInfo.InvariantCulture, $"<title id=\"tl-{encode(task.Id)}\">Leases of task {encode(task.Id)} over time</title>");
        svg.Append(CultureInfo.InvariantCulture, $"<rect x=\"{Left}\" y=\"{Top - 8}\" width=\"{Width - Left - Right}\" height=\"{(minted.Count * Row) + 8}\" fill=\"#f6f8fa\"/>");
        svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{Left}\" y=\"14\" class=\"axis\">{encode(EvidenceModel.Time(start))}</text>");
        svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{Width - Right}\" y=\"14\" class=\"axis\" text-anchor=\"end\">{encode(EvidenceModel.Time(end))}</text>");
        for (var i = 0; i < minted.Count; i++)
        {
            var lease = minted[i];
            var y = Top + (i * Row);
            var from = X(lease.MintedAt!.Value);
            var to = X(lease.VerifiedAt ?? asOf);
            var state = lease.VerifiedAt is null ? "live" : lease.PastEnd ? "late" : "ok";
            var colour = state switch { "live" => "#c0392b", "late" => "#e67e22", _ => "#2e7d32" };
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{Left - 8}\" y=\"{y + 12}\" text-anchor=\"end\" class=\"label\">{encode(Short(lease.Id))} {encode(lease.Target)}</text>");
            svg.Append(CultureInfo.InvariantCulture, $"<rect x=\"{F(from)}\" y=\"{y}\" width=\"{F(Math.Max(to - from, 2))}\" height=\"16\" rx=\"3\" fill=\"{colour}\">");
            svg.Append(CultureInfo.InvariantCulture, $"<title>{encode(lease.Id)}: minted {encode(EvidenceModel.Time(lease.MintedAt))}, revoked and verified {encode(EvidenceModel.Time(lease.VerifiedAt))}</title></rect>");
            if (lease.EndAt is { } due)
            {
                svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{F(X(due))}\" x2=\"{F(X(due))}\" y1=\"{y - 2}\" y2=\"{y + 18}\" stroke=\"#111\" stroke-width=\"2\"/>");
            }

            foreach (var failure in lease.RevocationFailures)
            {
                svg.Append(CultureInfo.InvariantCulture, $"<circle cx=\"{F(X(failure.At))}\" cy=\"{y + 8}\" r=\"4\" fill=\"#fff\" stroke=\"#c0392b\" stroke-width=\"2\"><title>revocation attempt {failure.Attempt} failed at {encode(EvidenceModel.Time(failure.At))}</title></circle>");
            }
        }

        if (task.EndedAt is { } ended)
        {
            var x = F(X(ended));
            svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{x}\" x2=\"{x}\" y1=\"{Top - 12}\" y2=\"{height - 22}\" stroke=\"#1565c0\" stroke-dasharray=\"4 3\"/>");
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{x}\" y=\"{height - 8}\" text-anchor=\"middle\" class=\"axis\">task ended</text>");
        }

        if (minted.Count == 0)
        {
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{Left + 8}\" y=\"{Top + 12}\" class=\"label\">no credential was minted</text>");
        }

        return svg.Append("</svg>").ToString();
    }

    private static string Short(string id) => id.Length > 18 ? id[..18] + "…" : id;
}
