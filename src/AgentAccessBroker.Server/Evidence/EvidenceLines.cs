using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace AgentAccessBroker.Server.Evidence;

/// <summary>The machine-readable population: <c>grants.jsonl</c>, <c>decisions.jsonl</c>, <c>exceptions.jsonl</c>.</summary>
internal static class EvidenceLines
{
    public static JsonSerializerOptions Json { get; } = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
        WriteIndented = false,
    };

    /// <summary>One line per minted credential (lease).</summary>
    public static string Grants(EvidenceModel model) => Lines(model.Leases.Where(l => l.WasMinted).Select(l =>
    {
        var request = model.Requests.FirstOrDefault(r => r.Id == l.RequestId);
        var task = model.Tasks.FirstOrDefault(t => t.Id == l.TaskId);
        return new GrantLine(
            l.Id, l.RequestId, l.TaskId, l.AgentId, task?.Owner, task?.Description, request?.Purpose, l.Target, l.Provider, l.Resources, l.Actions,
            request?.Score, request?.Outcome, request?.DecidedBy, EvidenceModel.Approvers(request ?? new EvidenceRequest("-")), request?.GrantedSeconds,
            Stamp(l.MintedAt), Stamp(l.ExpiresAt), Stamp(l.EndAt), Stamp(l.RevocationRequestedAt), l.RevocationReason, l.RevocationFailures.Count,
            Stamp(l.RevokedAt), Stamp(l.VerifiedAt), l.Verification, l.PastEnd);
    }));

    /// <summary>One line per request: how it was decided, by whom, and every vote.</summary>
    public static string Decisions(EvidenceModel model) => Lines(model.Requests.Select(r => new DecisionLine(
        r.Id, r.TaskId, r.AgentId, Stamp(r.ReceivedAt), r.Target, r.Resources, r.Actions, r.Score, r.AnalyzerDecision,
        [.. r.Factors.Select(f => new FactorLine(f.Code, f.Points, f.Explanation))], r.ApprovalRequested, r.ApproverGroup, r.Quorum,
        [.. r.Votes.Select(v => new VoteLine(v.ApproverId, v.Approve, v.Channel, v.ChannelIdentity, EvidenceModel.Stamp(v.At), v.Rejection))],
        r.Outcome, r.DecidedBy, Stamp(r.DecidedAt), r.GrantedSeconds, r.Why, r.ClaimRefused, r.LeaseIds)));

    public static string Exceptions(EvidenceModel model) => Lines(model.Exceptions);

    private static string Lines<T>(IEnumerable<T> items)
    {
        var builder = new StringBuilder();
        foreach (var item in items)
        {
            builder.Append(JsonSerializer.Serialize(item, Json)).Append('\n');
        }

        return builder.ToString();
    }

    private static string? Stamp(DateTimeOffset? t) => t is { } value ? EvidenceModel.Stamp(value) : null;

    internal sealed record GrantLine(
        string LeaseId, string? RequestId, string? TaskId, string? Agent, string? OnBehalfOf, string? DeclaredTask, string? Purpose, string? Target, string? Provider,
        IReadOnlyList<string> Resources, IReadOnlyList<string> Actions, int? Score, string? Decision, string? DecidedBy, string Approvers, long? GrantedSeconds,
        string? MintedAt, string? ExpiresAt, string? EndAt, string? RevocationRequestedAt, string? RevocationReason, int RevocationFailures,
        string? RevokedAt, string? VerifiedAt, string? Verification, bool PastEnd);

    internal sealed record DecisionLine(
        string RequestId, string? TaskId, string? Agent, string? ReceivedAt, string? Target, IReadOnlyList<string> Resources, IReadOnlyList<string> Actions,
        int? Score, string? AnalyzerDecision, IReadOnlyList<FactorLine> Factors, bool ApprovalRequested, string? ApproverGroup, int? Quorum,
        IReadOnlyList<VoteLine> Votes, string Outcome, string? DecidedBy, string? DecidedAt, long? GrantedSeconds, string? Why, string? ClaimRefused,
        IReadOnlyList<string> Leases);

    internal sealed record FactorLine(string Code, int Points, string Explanation);

    internal sealed record VoteLine(string Approver, bool Approve, string? Channel, string? ChannelIdentity, string At, string? Rejection);
}
