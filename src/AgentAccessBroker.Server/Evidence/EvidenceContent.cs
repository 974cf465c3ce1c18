using System.Globalization;
using System.Text;
using System.Text.Json;
using AgentAccessBroker.Server.Audit;

namespace AgentAccessBroker.Server.Evidence;

/// <summary>
/// The files of a pack that are computed from its events. The writer and the verifier both call this, so the verifier
/// recomputes exactly what the writer stated.
/// </summary>
internal static class EvidenceContent
{
    public const string Report = "report.html";
    public const string Grants = "grants.jsonl";
    public const string Decisions = "decisions.jsonl";
    public const string Exceptions = "exceptions.jsonl";
    public const string Controls = "controls.md";
    public const string Events = "events.jsonl";
    public const string Chain = "chain.jsonl";

    /// <summary>Every file the manifest must list, in the order it lists them.</summary>
    public static readonly string[] Listed = [Report, Grants, Decisions, Exceptions, Controls, Events, Chain];

    public static EvidenceModel Model(IReadOnlyList<AuditRecord> events, DateTimeOffset generatedAt) => EvidenceModel.Build(events, generatedAt);

    /// <summary>The derived files (report, population, controls) from the events and the manifest's own statements.</summary>
    public static Dictionary<string, string> Derived(EvidenceModel model, EvidenceScope scope, DateTimeOffset generatedAt, EvidenceManifest.EventRange range, string keyId)
    {
        var header = new EvidenceReport.Header(scope.Describe(), generatedAt, range.FirstSequence, range.LastSequence, range.Count, keyId);
        return new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [Report] = EvidenceReport.Render(model, header),
            [Grants] = EvidenceLines.Grants(model),
            [Decisions] = EvidenceLines.Decisions(model),
            [Exceptions] = EvidenceLines.Exceptions(model),
            [Controls] = EvidenceControls.Render(model, scope.Describe()),
        };
    }

    public static string EventLines(IEnumerable<AuditRecord> events)
    {
        var builder = new StringBuilder();
        foreach (var e in events)
        {
            builder.Append(JsonSerializer.Serialize(e, AuditExportFormat.Json)).Append('\n');
        }

        return builder.ToString();
    }

    public static string ChainLines(IEnumerable<EvidenceChainLink> links)
    {
        var builder = new StringBuilder();
        foreach (var link in links)
        {
            builder.Append(JsonSerializer.Serialize(link, EvidenceLines.Json)).Append('\n');
        }

        return builder.ToString();
    }

    public static EvidenceManifest.ScopeInfo ScopeInfo(EvidenceScope scope) =>
        new(scope.Task, scope.From?.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture), scope.To?.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture), scope.Agent);

    public static EvidenceScope Scope(EvidenceManifest.ScopeInfo info) => new(info.Task, Time(info.From), Time(info.To), info.Agent);

    public static DateTimeOffset? Time(string? text) =>
        text is null ? null : DateTimeOffset.ParseExact(text, "O", CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal);

    public static JsonSerializerOptions ManifestJson { get; } = new(EvidenceLines.Json) { WriteIndented = true };
}
