using AgentAccessBroker.Brokering;
using AgentAccessBroker.Domain;
using AgentAccessBroker.Server.Evidence;
using AgentAccessBroker.Storage;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;

namespace AgentAccessBroker.Server.WebConsole.Pages;

/// <summary>
/// Evidence packs for auditors: the same signed pack as <c>aab evidence</c> and <c>GET /v1/evidence</c>, for one task or
/// a period, downloaded as one zip. One archive, not file by file: the pack verifies only whole (the signed manifest
/// lists every file, and the verifier refuses a missing or an extra one), and an auditor files it as one piece of
/// evidence, unpacks it and runs <c>aab evidence verify</c> on the folder.
/// </summary>
[Authorize(Policy = ConsolePolicies.Auditor)]
public sealed class EvidencePacksModel(IBrokerStore store, EvidencePackWriter writer) : ConsolePageModel
{
    private const int Shown = 50;

    public IReadOnlyList<BrokerTask> Tasks { get; private set; } = [];

    [BindProperty(SupportsGet = true)] public DateTime? From { get; set; }

    [BindProperty(SupportsGet = true)] public DateTime? To { get; set; }

    [BindProperty(SupportsGet = true)] public string? Agent { get; set; }

    public Task OnGetAsync(CancellationToken cancellationToken) => LoadAsync(cancellationToken);

    /// <summary>The pack of one task (<c>task</c>) or of a period (<c>from</c>, <c>to</c>, optional <c>agent</c>), as a zip.</summary>
    public async Task<IActionResult> OnGetPackAsync(string? task, CancellationToken cancellationToken)
    {
        try
        {
            var scope = task is { Length: > 0 }
                ? EvidenceScope.ForTask(task.Trim())
                : new EvidenceScope(null, Utc(From), Utc(To), string.IsNullOrWhiteSpace(Agent) ? null : Agent.Trim());
            var pack = await writer.BuildAsync(scope, cancellationToken);
            using var archive = new MemoryStream();
            await pack.WriteZipAsync(archive, cancellationToken);
            return File(archive.ToArray(), "application/zip", FileName(scope));
        }
        catch (BrokerError error)
        {
            Problem = error.Message;
            await LoadAsync(cancellationToken);
            return Page();
        }
    }

    private async Task LoadAsync(CancellationToken cancellationToken) =>
        Tasks = (await store.ListTasksAsync(null, null, cancellationToken)).OrderByDescending(t => t.CreatedAt).Take(Shown).ToList();

    private static DateTimeOffset? Utc(DateTime? at) => at is { } t ? new DateTimeOffset(DateTime.SpecifyKind(t, DateTimeKind.Utc)) : null;

    private static string FileName(EvidenceScope scope) => scope.Task is { } task
        ? $"evidence-{Safe(task)}.zip"
        : $"evidence-{scope.From!.Value.UtcDateTime:yyyyMMdd'T'HHmm}-{scope.To!.Value.UtcDateTime:yyyyMMdd'T'HHmm}{(scope.Agent is { } a ? "-" + Safe(a) : string.Empty)}.zip";

    private static string Safe(string text) => new([.. text.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' ? c : '_')]);
}
