using AgentAccessBroker.Approvals;
using AgentAccessBroker.Domain;
using AgentAccessBroker.Storage;
using Microsoft.Extensions.Logging;

namespace AgentAccessBroker.Brokering;

/// <summary>
/// Tells every approval channel about a pending request and later shows its outcome there. A channel that fails never
/// blocks the decision: the request stays decidable through the API and CLI.
/// </summary>
public sealed partial class ApprovalAnnouncer(IEnumerable<IApprovalChannel> channels, IBrokerStore store, ILogger<ApprovalAnnouncer> logger)
{
    public async Task AnnounceAsync(ApprovalNotice notice, CancellationToken cancellationToken)
    {
        foreach (var channel in channels.Where(c => notice.AsksOn(c.Name)))
        {
            try
            {
                var reference = await channel.AnnounceAsync(notice, cancellationToken);
                if (reference is not null)
                {
                    await store.SaveAnnouncementAsync(notice.RequestId, channel.Name, reference, cancellationToken);
                }
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                LogChannelFailed(logger, exception, channel.Name, notice.RequestId);
            }
        }
    }

    public async Task ShowOutcomeAsync(ApprovalNotice notice, ApprovalStatus status, CancellationToken cancellationToken)
    {
        var announcements = await store.ListAnnouncementsAsync(notice.RequestId, cancellationToken);
        foreach (var (name, reference) in announcements)
        {
            var channel = channels.FirstOrDefault(c => c.Name == name);
            if (channel is null)
            {
                continue;
            }

            try
            {
                await channel.UpdateAsync(reference, notice, status, cancellationToken);
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                LogChannelFailed(logger, exception, name, notice.RequestId);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Approval channel {Channel} failed for request {RequestId}; approvers can still decide through the API or CLI")]
    private static partial void LogChannelFailed(ILogger logger, Exception exception, string channel, string requestId);
}
