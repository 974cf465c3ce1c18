using System.Text.Json;
using System.Text.Json.Nodes;
using AgentAccessBroker.Client;

namespace AgentAccessBroker.Mcp;

/// <summary>The structured form of a request's outcome (see <see cref="AccessOutput"/>).</summary>
internal static class AccessOutputs
{
    /// <summary>The credential's parts under the names an agent looks for, whatever the connector calls them.</summary>
    private static readonly Dictionary<string, string> FieldNames = new(StringComparer.Ordinal)
    {
        ["PGHOST"] = "host",
        ["PGPORT"] = "port",
        ["PGDATABASE"] = "database",
        ["PGUSER"] = "user",
        ["PGPASSWORD"] = "password",
        ["PGSSLMODE"] = "sslmode",
        ["AWS_ACCESS_KEY_ID"] = "access_key_id",
        ["AWS_SECRET_ACCESS_KEY"] = "secret_access_key",
        ["AWS_SESSION_TOKEN"] = "session_token",
        ["AWS_REGION"] = "region",
        ["AZURE_ACCESS_TOKEN"] = "access_token",
        ["AZURE_TENANT_ID"] = "tenant_id",
        ["AZURE_CLIENT_ID"] = "client_id",
        ["AZURE_CLIENT_SECRET"] = "client_secret",
    };

    public static AccessOutput Of(RequestOutcomeView outcome, TimeSpan pollInterval)
    {
        var request = outcome.Request;
        var assessment = request.Assessment;
        var pending = outcome.Outcome == "pending_approval";
        return new AccessOutput(
            outcome.Outcome,
            outcome.Message,
            request.Id,
            request.Target,
            request.Resources,
            request.Actions,
            assessment?.Decision,
            assessment?.Score,
            assessment?.Reasons ?? [],
            assessment?.Factors.Where(f => f.Points != 0).Select(f => new FactorOutput(f.Code, f.Points, f.Explanation)).ToList() ?? [],
            assessment?.NarrowerRequest is { } n ? new NarrowerRequestOutput(n.Resources, n.Actions, n.Duration, n.Explanation) : null,
            outcome.HumanReviewMode,
            outcome.Lease is { } l ? new LeaseOutput(l.Id, l.Target, l.Resources, l.Actions, l.State, l.ExpiresAt, l.SecondsLeft) : null,
            outcome.Credential is { } c ? CredentialOf(c) : null,
            pending ? new ApprovalOutput(outcome.ApproverGroup, outcome.Approvers ?? [], outcome.Quorum, outcome.ApprovalExpiresAt) : null,
            pending ? (int)Math.Max(1, Math.Ceiling(pollInterval.TotalSeconds)) : null);
    }

    public static AccessOutput Failed(ToolError error) =>
        new("error", error.Message, null, null, [], [], null, null, [], [], null, false, null, null, null, null, error);

    private static CredentialOutput CredentialOf(CredentialView credential)
    {
        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, value) in credential.EnvironmentVariables)
        {
            if (FieldNames.TryGetValue(name, out var field))
            {
                fields[field] = value;
            }
        }

        return new CredentialOutput(
            credential.Kind,
            credential.ExpiresAt,
            fields,
            credential.EnvironmentVariables,
            credential.Forms.GetValueOrDefault("uri"),
            credential.Forms.GetValueOrDefault("connection_string"),
            credential.Forms.TryGetValue("credential_process", out var process) ? ParseObject(process) : null,
            credential.Forms,
            credential.RevocationNote);
    }

    private static JsonObject? ParseObject(string json)
    {
        try
        {
            return JsonNode.Parse(json) as JsonObject;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
