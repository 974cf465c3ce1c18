using System.Text.RegularExpressions;

namespace AgentAccessBroker.IntentAnalysis.Text;

/// <summary>Names and descriptions that say a resource holds audit records (an audit schema or table, a CloudTrail bucket, an audit log).</summary>
internal static partial class AuditWords
{
    public static bool NamesAuditRecords(string text) => AuditPattern().IsMatch(text);

    [GeneratedRegex(@"(?:^|[^a-z])(?:audit|audits|auditing|cloudtrail|audit[-_ ]?logs?|audit[-_ ]?trails?)(?:$|[^a-z])", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex AuditPattern();
}
