namespace AgentAccessBroker.Client;

/// <summary>
/// Says so when a grant is shorter than what was asked: capped by the policy's maximum for the resource's
/// sensitivity, or shortened by the approver. Both the CLI and the MCP tools print it, so nobody plans around an
/// hour they were not given.
/// </summary>
public static class DurationNotes
{
    /// <summary>The note for <paramref name="request"/>, or null when it got what it asked for (or nothing yet).</summary>
    public static string? Of(RequestView request)
    {
        var granted = request.GrantedDuration ?? (request.Status == "pending" ? request.Assessment?.GrantedDuration : null);
        if (granted is null || string.Equals(granted, request.RequestedDuration, StringComparison.Ordinal))
        {
            return null;
        }

        var assessment = request.Assessment;
        var policyCap = assessment?.Reasons.FirstOrDefault(r => r.StartsWith("the duration is capped", StringComparison.Ordinal));
        if (request.Status == "pending")
        {
            return $"Duration capped: {request.RequestedDuration} was asked, at most {granted} can be granted ({policyCap ?? "policy maximum"}).";
        }

        return policyCap is not null && string.Equals(assessment!.GrantedDuration, granted, StringComparison.Ordinal)
            ? $"Duration capped: {request.RequestedDuration} was asked, {granted} was granted ({policyCap})."
            : $"Duration shortened: {request.RequestedDuration} was asked, the approver granted {granted}.";
    }
}
