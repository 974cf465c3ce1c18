using AgentAccessBroker.Approvals;

namespace AgentAccessBroker.Connectors.Teams.Tests;

internal static class Notices
{
    public static ApprovalNotice Sample(string requestId = "req-42", string? purpose = null, TimeSpan? duration = null) => new(
        requestId,
        "agent-7",
        "owen",
        "task-9",
        "Rotate the reporting database credentials",
        "tina",
        "prod-db",
        ["postgres://prod-db/reports"],
        ["read", "write"],
        duration ?? TimeSpan.FromHours(1),
        purpose ?? "Need to fix the nightly report job",
        72,
        ["Writes to a production database", "Outside business hours"],
        "dba",
        Channels: null,
        1,
        new DateTimeOffset(2026, 12, 7, 16, 0, 0, TimeSpan.Zero));
}
