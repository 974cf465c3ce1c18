using System.Text.Json;

namespace AgentAccessBroker.Connectors.Azure;

/// <summary>A PIM role assignment schedule request as read back: its type and status.</summary>
internal sealed record PimRequestInfo(string RequestType, string Status)
{
    private static readonly HashSet<string> Going = new(StringComparer.OrdinalIgnoreCase)
    {
        "Accepted", "PendingEvaluation", "Granted", "PendingProvisioning", "Provisioned", "ProvisioningStarted",
        "PendingScheduleCreation", "ScheduleCreated", "AdminApproved", "PendingExternalProvisioning",
    };

    private static readonly HashSet<string> AwaitingApproval = new(StringComparer.OrdinalIgnoreCase)
    {
        "PendingApproval", "PendingApprovalProvisioning", "PendingAdminDecision",
    };

    /// <summary>PIM accepted it and the assignment exists or is on its way.</summary>
    public bool IsGoing => Going.Contains(Status);

    /// <summary>A role management policy on the scope wants a human to approve it first.</summary>
    public bool IsAwaitingApproval => AwaitingApproval.Contains(Status);

    public static PimRequestInfo Read(JsonElement request)
    {
        var properties = request.GetProperty("properties");
        return new PimRequestInfo(
            properties.TryGetProperty("requestType", out var type) ? type.GetString() ?? string.Empty : string.Empty,
            properties.TryGetProperty("status", out var status) ? status.GetString() ?? string.Empty : string.Empty);
    }
}
