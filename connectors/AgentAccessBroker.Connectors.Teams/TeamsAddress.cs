using AgentAccessBroker.Approvals;

namespace AgentAccessBroker.Connectors.Teams;

/// <summary>Where the policy wants a group asked in Teams: a conversation id, or null for the configured default.</summary>
internal static class TeamsAddress
{
    public static string? ConversationFor(ApprovalNotice notice) =>
        notice.AddressOn(TeamsApprovalChannel.ChannelName) is { } address && address.StartsWith("19:", StringComparison.Ordinal) ? address : null;
}
