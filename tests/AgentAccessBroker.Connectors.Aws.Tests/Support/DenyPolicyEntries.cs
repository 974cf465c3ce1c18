using System.Text.Json;
using AgentAccessBroker.Connectors.Aws.Revocation;

namespace AgentAccessBroker.Connectors.Aws.Tests.Support;

/// <summary>Reads a role's deny-policy document the way the tests check it: which sessions its buckets deny.</summary>
internal static class DenyPolicyEntries
{
    /// <summary>The <c>aws:userid</c> patterns the revocation buckets of <paramref name="document"/> list; none without a document.</summary>
    public static List<string> UserIds(string? document)
    {
        if (document is null)
        {
            return [];
        }

        using var json = JsonDocument.Parse(document);
        return json.RootElement.GetProperty("Statement").EnumerateArray()
            .Where(s => s.GetProperty("Sid").GetString()!.StartsWith(RevokedSessionsPolicy.BucketSidPrefix, StringComparison.Ordinal))
            .SelectMany(s => s.GetProperty("Condition").GetProperty("StringLike").GetProperty("aws:userid").EnumerateArray().Select(v => v.GetString()!))
            .ToList();
    }
}
