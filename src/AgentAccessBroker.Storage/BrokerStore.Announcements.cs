namespace AgentAccessBroker.Storage;

public abstract partial class BrokerStore
{
    /// <inheritdoc />
    public async Task SaveAnnouncementAsync(string requestId, string channel, string reference, CancellationToken cancellationToken) =>
        await WriteAsync(
            """
            INSERT INTO aab_approval_announcements (request_id, channel, reference) VALUES (@RequestId, @Channel, @Reference)
            ON CONFLICT (request_id, channel) DO UPDATE SET reference = excluded.reference
            """,
            new { RequestId = requestId, Channel = channel, Reference = reference },
            cancellationToken);

    /// <inheritdoc />
    public async Task<IReadOnlyList<(string Channel, string Reference)>> ListAnnouncementsAsync(string requestId, CancellationToken cancellationToken) =>
        (await QueryAsync<AnnouncementRow>(
            "SELECT channel, reference FROM aab_approval_announcements WHERE request_id = @RequestId ORDER BY channel",
            new { RequestId = requestId },
            cancellationToken)).Select(r => (r.Channel, r.Reference)).ToList();

    private sealed class AnnouncementRow
    {
        public string Channel { get; set; } = string.Empty;

        public string Reference { get; set; } = string.Empty;
    }
}
