namespace AgentAccessBroker.Policy;

/// <summary>People who may approve requests on the targets that name this group.</summary>
/// <param name="SlackChannel">Where approval messages go; null when the group approves only through the CLI/API.</param>
public sealed record ApproverGroup(string Name, IReadOnlyList<Approver> Members, string? SlackChannel)
{
    public Approver? FindById(string id) => Members.FirstOrDefault(m => string.Equals(m.Id, id, StringComparison.Ordinal));

    public Approver? FindBySlackUser(string slackUserId) =>
        Members.FirstOrDefault(m => m.SlackUserId is not null && string.Equals(m.SlackUserId, slackUserId, StringComparison.Ordinal));
}
