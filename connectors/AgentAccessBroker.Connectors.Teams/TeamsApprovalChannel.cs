using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using AgentAccessBroker.Approvals;
using AgentAccessBroker.Connectors.Teams.Api;
using AgentAccessBroker.Connectors.Teams.Cards;
using AgentAccessBroker.Connectors.Teams.Workflows;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AgentAccessBroker.Connectors.Teams;

/// <summary>
/// Announces approval requests in Teams and shows their outcome. Bot mode posts an Adaptive Card through the Bot
/// Connector and replaces it on every change; once it shows a final outcome it is never changed again. Workflows mode
/// posts a card linking to the console, and one follow-up card with the outcome or expiry (a webhook cannot edit).
/// The announcement reference holds everything an update needs, so expiry updates the card after a restart too.
/// </summary>
internal sealed class TeamsApprovalChannel(
    BotConnectorClient botConnector,
    WorkflowsWebhookSender workflows,
    IOptions<TeamsConnectorOptions> options,
    ILogger<TeamsApprovalChannel> logger) : IApprovalChannel
{
    public const string ChannelName = "teams";
    internal const string WorkflowsReferencePrefix = "workflows ";
    private const int RememberedNotices = 4096;

    private readonly ConcurrentDictionary<string, bool> _finalShown = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, ApprovalNotice> _notices = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim[] _gates = Enumerable.Range(0, 32).Select(_ => new SemaphoreSlim(1, 1)).ToArray();

    public string Name => ChannelName;

    public async Task<string?> AnnounceAsync(ApprovalNotice notice, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(notice);
        Remember(notice);
        var settings = options.Value;
        if (settings.Mode == TeamsConnectionMode.Workflows)
        {
            var card = ApprovalCardComposer.WorkflowsCard(notice, ApprovalPage(notice.RequestId));
            await workflows.SendAsync(ApprovalCardComposer.Message(card, Summary(notice)), cancellationToken).ConfigureAwait(false);
            TeamsLog.AnnouncedWorkflows(logger, notice.RequestId);
            return WorkflowsReferencePrefix + Uri.EscapeDataString(notice.RequestId);
        }

        var conversation = TeamsAddress.ConversationFor(notice) ?? settings.DefaultConversationId;
        if (string.IsNullOrWhiteSpace(conversation) || settings.ServiceUrl is null)
        {
            TeamsLog.NoConversation(logger, notice.RequestId, notice.ApproverGroup);
            return null;
        }

        var message = ApprovalCardComposer.Message(ApprovalCardComposer.BotCard(notice, null, settings.ShorterDuration), Summary(notice));
        var posted = await botConnector.PostAsync(settings.ServiceUrl, conversation, message, cancellationToken).ConfigureAwait(false);
        TeamsLog.Announced(logger, notice.RequestId, posted.ConversationId, posted.ActivityId);
        return posted.Format();
    }

    public async Task UpdateAsync(string channelReference, ApprovalNotice notice, ApprovalStatus status, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(notice);
        ArgumentNullException.ThrowIfNull(status);
        Remember(notice);
        if (channelReference.StartsWith(WorkflowsReferencePrefix, StringComparison.Ordinal))
        {
            if (status.Outcome is null || !_finalShown.TryAdd(channelReference, true))
            {
                return;
            }

            try
            {
                var card = ApprovalCardComposer.WorkflowsOutcomeCard(notice, status, ApprovalPage(notice.RequestId));
                await workflows.SendAsync(ApprovalCardComposer.Message(card, "Access request " + status.Outcome.ToString()!.ToLowerInvariant()), cancellationToken)
                    .ConfigureAwait(false);
                TeamsLog.FollowUpSent(logger, notice.RequestId, status.Outcome.ToString()!);
            }
            catch
            {
                _finalShown.TryRemove(channelReference, out _);
                throw;
            }

            return;
        }

        if (!ConversationMessageRef.TryParse(channelReference, out var message))
        {
            throw new ArgumentException("Not a Teams channel reference.", nameof(channelReference));
        }

        var shorter = options.Value.ShorterDuration;
        await ShowAsync(message, notice.RequestId, status, () => ApprovalCardComposer.BotCard(notice, status, shorter), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The last notice seen for a request, for answering a click with the full card. Null after a restart.</summary>
    public ApprovalNotice? NoticeOf(string requestId) => _notices.TryGetValue(requestId, out var notice) ? notice : null;

    /// <summary>Replaces the card unless it already shows a final outcome. True when the Bot Connector was called.</summary>
    internal async Task<bool> ShowAsync(ConversationMessageRef message, string requestId, ApprovalStatus status, Func<JsonObject> compose, CancellationToken cancellationToken)
    {
        var key = message.Format();
        var gate = _gates[(int)((uint)StringComparer.Ordinal.GetHashCode(key) % (uint)_gates.Length)];
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_finalShown.ContainsKey(key))
            {
                return false;
            }

            await botConnector.UpdateAsync(message, ApprovalCardComposer.Message(compose(), "Access request " + requestId), cancellationToken).ConfigureAwait(false);
            if (status.Outcome is not null)
            {
                _finalShown.TryAdd(key, true);
            }

            TeamsLog.Updated(logger, requestId, message.ConversationId, message.ActivityId, status.Outcome?.ToString() ?? "pending", status.Votes.Count);
            return true;
        }
        finally
        {
            gate.Release();
        }
    }

    internal Uri ApprovalPage(string requestId)
    {
        var baseUrl = options.Value.ConsoleBaseUrl ?? throw new InvalidOperationException("Teams:ConsoleBaseUrl is required in Workflows mode.");
        var root = baseUrl.AbsoluteUri.EndsWith('/') ? baseUrl : new Uri(baseUrl.AbsoluteUri + "/");
        return new Uri(root, "approvals?request=" + Uri.EscapeDataString(requestId));
    }

    private static string Summary(ApprovalNotice notice) =>
        "Approval needed: " + CardText.Untrusted(notice.AgentId, 80) + " asks for access to " + CardText.Untrusted(notice.Target, 120);

    private void Remember(ApprovalNotice notice)
    {
        if (_notices.Count >= RememberedNotices)
        {
            // A cache, not a record: the store holds the truth, and a click on a forgotten request gets a compact card.
            _notices.Clear();
        }

        _notices[notice.RequestId] = notice;
    }
}
