using AgentAccessBroker.Approvals;
using AgentAccessBroker.Connectors.Slack.Api;
using AgentAccessBroker.Connectors.Slack.Messages;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AgentAccessBroker.Connectors.Slack;

/// <summary>
/// Announces approval requests as Block Kit messages and keeps them current with chat.update. Once a message shows a
/// final outcome it is never changed again, so a late or out-of-order update cannot bring the buttons back.
/// </summary>
internal sealed class SlackApprovalChannel(
    SlackApiClient api,
    IOptions<SlackConnectorOptions> options,
    ILogger<SlackApprovalChannel> logger) : IApprovalChannel
{
    public const string ChannelName = "slack";

    private readonly BoundedKeySet _finalShown = new(8192);

    // Updates of one message are serialised; messages hash onto a fixed set of gates so nothing needs cleaning up.
    private readonly SemaphoreSlim[] _gates = Enumerable.Range(0, 32).Select(_ => new SemaphoreSlim(1, 1)).ToArray();

    public string Name => ChannelName;

    public async Task<string?> AnnounceAsync(ApprovalNotice notice, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(notice);
        var address = notice.AddressOn(ChannelName);
        var channel = string.IsNullOrWhiteSpace(address) ? options.Value.DefaultChannel : address;
        if (string.IsNullOrWhiteSpace(channel))
        {
            SlackLog.NoChannel(logger, notice.RequestId, notice.ApproverGroup);
            return null;
        }

        var message = ApprovalMessageComposer.Announcement(notice, options.Value.ShorterDuration);
        var posted = await api.PostMessageAsync(channel, message, cancellationToken).ConfigureAwait(false);
        SlackLog.Announced(logger, notice.RequestId, posted.Channel, posted.Ts);
        return posted.Format();
    }

    public Task UpdateAsync(string channelReference, ApprovalNotice notice, ApprovalStatus status, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(notice);
        ArgumentNullException.ThrowIfNull(status);
        if (!SlackMessageRef.TryParse(channelReference, out var message))
        {
            throw new ArgumentException("Not a Slack channel reference (expected 'channel/ts').", nameof(channelReference));
        }

        var shorter = options.Value.ShorterDuration;
        return ShowAsync(message, notice.RequestId, status, () => ApprovalMessageComposer.Progress(notice, status, shorter), cancellationToken);
    }

    /// <summary>Updates the message unless it already shows a final outcome. True when chat.update was called.</summary>
    internal async Task<bool> ShowAsync(
        SlackMessageRef message, string requestId, ApprovalStatus status, Func<SlackMessage> compose, CancellationToken cancellationToken)
    {
        var key = message.Format();
        var gate = _gates[(int)((uint)StringComparer.Ordinal.GetHashCode(key) % (uint)_gates.Length)];
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_finalShown.Contains(key))
            {
                SlackLog.AlreadyFinal(logger, requestId, message.Channel, message.Ts);
                return false;
            }

            await api.UpdateMessageAsync(message, compose(), cancellationToken).ConfigureAwait(false);
            if (status.Outcome is not null)
            {
                _finalShown.Add(key);
            }

            SlackLog.Updated(logger, requestId, message.Channel, message.Ts, status.Outcome?.ToString() ?? "pending", status.Votes.Count);
            return true;
        }
        finally
        {
            gate.Release();
        }
    }
}
