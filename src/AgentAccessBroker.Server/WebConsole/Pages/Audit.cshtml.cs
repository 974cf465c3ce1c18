using AgentAccessBroker.Audit;
using AgentAccessBroker.Server.Audit;
using AgentAccessBroker.Storage;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;

namespace AgentAccessBroker.Server.WebConsole.Pages;

/// <summary>The audit trail: search, signed export (jsonl, csv), the public key, and whether the stored chain verifies.</summary>
[Authorize(Policy = ConsolePolicies.Auditor)]
public sealed class AuditModel(IBrokerStore store, AuditExporter exporter, AuditSigningKey key) : ConsolePageModel
{
    private const int Shown = 200;

    [BindProperty(SupportsGet = true)] public DateTime? From { get; set; }

    [BindProperty(SupportsGet = true)] public DateTime? To { get; set; }

    [BindProperty(SupportsGet = true)] public string? Agent { get; set; }

    [BindProperty(SupportsGet = true)] public string? Task { get; set; }

    [BindProperty(SupportsGet = true)] public string? Type { get; set; }

    public IReadOnlyList<AuditEvent> Events { get; private set; } = [];

    public int Matched { get; private set; }

    public ChainStatus Chain { get; private set; } = new(true, 0, null);

    public string PublicKeyPem => key.PublicKeyPem;

    public string KeyId => key.KeyId;

    public async System.Threading.Tasks.Task OnGetAsync(CancellationToken cancellationToken)
    {
        Chain = await VerifyChainAsync(cancellationToken);
        var shown = new List<AuditEvent>();
        var matched = 0;
        await foreach (var e in store.ReadAuditAsync(Query(), cancellationToken))
        {
            if (Blank(Type) is { } type && !e.Type.Contains(type, StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            matched++;
            shown.Add(e);
            if (shown.Count > Shown)
            {
                shown.RemoveAt(0);
            }
        }

        Matched = matched;
        shown.Reverse();
        Events = shown;
    }

    /// <summary>The signed export of the current filter (the type filter is not applied: exports keep every event of the range).</summary>
    public async Task<IActionResult> OnGetExportAsync(string? format, CancellationToken cancellationToken)
    {
        var kind = format == "csv" ? "csv" : "jsonl";
        Response.ContentType = kind == "csv" ? "text/csv; charset=utf-8" : "application/x-ndjson; charset=utf-8";
        Response.Headers.ContentDisposition = $"attachment; filename=\"audit.{kind}\"";
        await exporter.ExportAsync(Query(), kind, Response.Body, cancellationToken);
        return new EmptyResult();
    }

    public IActionResult OnGetPublicKey()
    {
        Response.Headers.ContentDisposition = $"attachment; filename=\"audit-{key.KeyId}.pem\"";
        return Content(key.PublicKeyPem, "application/x-pem-file");
    }

    private AuditQuery Query() => new(
        From is { } f ? new DateTimeOffset(DateTime.SpecifyKind(f, DateTimeKind.Utc)) : null,
        To is { } t ? new DateTimeOffset(DateTime.SpecifyKind(t, DateTimeKind.Utc)) : null,
        Blank(Agent),
        Blank(Task));

    /// <summary>Recomputes every stored event's hash and its link to the one before.</summary>
    private async Task<ChainStatus> VerifyChainAsync(CancellationToken cancellationToken)
    {
        var previous = AuditChain.GenesisHash;
        long? expected = null;
        var count = 0;
        await foreach (var e in store.ReadAuditAsync(new AuditQuery(), cancellationToken))
        {
            count++;
            if (expected is { } seq && e.Sequence != seq)
            {
                return new ChainStatus(false, count, $"event {e.Sequence} follows {seq - 1}: events are missing");
            }

            if (e.PreviousHash != previous)
            {
                return new ChainStatus(false, count, $"event {e.Sequence} does not link to the event before it");
            }

            if (AuditChain.ComputeHash(e) != e.Hash)
            {
                return new ChainStatus(false, count, $"event {e.Sequence} was altered: its hash does not match its content");
            }

            previous = e.Hash;
            expected = e.Sequence + 1;
        }

        return new ChainStatus(true, count, null);
    }

    private static string? Blank(string? text) => string.IsNullOrWhiteSpace(text) ? null : text.Trim();

    public sealed record ChainStatus(bool Intact, int Events, string? Problem);
}
