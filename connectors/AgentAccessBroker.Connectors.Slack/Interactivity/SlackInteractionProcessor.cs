using System.Globalization;
using System.Text.Json.Nodes;
using AgentAccessBroker.Approvals;
using AgentAccessBroker.Audit;
using AgentAccessBroker.Connectors.Slack.Api;
using AgentAccessBroker.Connectors.Slack.Messages;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AgentAccessBroker.Connectors.Slack.Interactivity;

/// <summary>
/// Turns an authenticated click into a vote: maps the Slack user to a policy approver through the desk (the button value
/// only names the request), lets the desk decide, shows the result on the message and tells a refused clicker why, in a
/// reply only they see. A redelivered click (same action_ts, user and request) is dropped before it reaches the desk;
/// the desk makes any other repeat a no-op.
/// </summary>
internal sealed class SlackInteractionProcessor(
    IServiceProvider services,
    SlackApiClient api,
    SlackApprovalChannel channel,
    IOptions<SlackConnectorOptions> options,
    TimeProvider time,
    ILogger<SlackInteractionProcessor> logger)
{
    private readonly BoundedKeySet _seen = new(4096);

    public async Task ProcessAsync(SlackInteraction click, CancellationToken cancellationToken)
    {
        if (!_seen.Add(click.DedupeKey))
        {
            SlackLog.DuplicateClick(logger, click.RequestId, click.UserId, click.ActionTs);
            return;
        }

        VoteResult result;
        try
        {
            var desk = services.GetRequiredService<IApprovalDesk>();
            var approverId = await desk.FindApproverAsync(click.RequestId, SlackApprovalChannel.ChannelName, click.UserId, cancellationToken).ConfigureAwait(false);
            if (approverId is null)
            {
                SlackLog.UnknownApprover(logger, click.RequestId, click.UserId);
                await AuditUnknownUserAsync(click, cancellationToken).ConfigureAwait(false);
                await ReplyAsync(click, "You are not an approver for this request, so your click was not counted.", cancellationToken)
                    .ConfigureAwait(false);
                return;
            }

            var approve = click.ActionId != ApprovalMessageComposer.DenyAction;
            TimeSpan? shortenTo = click.ActionId == ApprovalMessageComposer.ApproveShorterAction ? options.Value.ShorterDuration : null;
            result = await desk.VoteAsync(
                click.RequestId, approverId, approve, SlackApprovalChannel.ChannelName, click.UserId, shortenTo, comment: null, cancellationToken)
                .ConfigureAwait(false);
            SlackLog.Voted(logger, click.RequestId, click.UserId, approverId, click.ActionId, result.GetType().Name);
        }
        catch
        {
            // The click did not get through to the desk; let a redelivery try again.
            _seen.Remove(click.DedupeKey);
            throw;
        }

        switch (result)
        {
            case VoteResult.Recorded recorded:
                await ShowAsync(click, recorded.Status, cancellationToken).ConfigureAwait(false);
                break;
            case VoteResult.AlreadyDecided { Status.Outcome: { } outcome } decided:
                // Repairs a message that still shows buttons (say, an update lost to an outage); a no-op once it shows
                // the outcome. Only with the clicked message's blocks at hand, so a repair never strips its details.
                if (click.MessageBlocks is not null)
                {
                    await ShowAsync(click, decided.Status, cancellationToken).ConfigureAwait(false);
                }

                await ReplyAsync(click, "This request was already decided: " + Describe(outcome) + ". Your click changed nothing.", cancellationToken)
                    .ConfigureAwait(false);
                break;
            case VoteResult.AlreadyDecided:
                await ReplyAsync(click, "You have already voted on this request; it is waiting for other approvers.", cancellationToken)
                    .ConfigureAwait(false);
                break;
            case VoteResult.Rejected rejected:
                await ReplyAsync(click, "You cannot decide this request: " + SlackText.Escape(rejected.Reason, 500), cancellationToken)
                    .ConfigureAwait(false);
                break;
            case VoteResult.NotFound:
                await ReplyAsync(click, "This request no longer exists.", cancellationToken).ConfigureAwait(false);
                break;
        }
    }

    private async Task ShowAsync(SlackInteraction click, ApprovalStatus status, CancellationToken cancellationToken)
    {
        if (click.Message is null)
        {
            return;
        }

        var blocks = click.MessageBlocks ?? [];
        await channel.ShowAsync(click.Message, click.RequestId, status, () => ApprovalMessageComposer.Progress(click.RequestId, blocks, status), cancellationToken)
            .ConfigureAwait(false);
    }

    private async Task ReplyAsync(SlackInteraction click, string text, CancellationToken cancellationToken)
    {
        if (click.ResponseUrl is null)
        {
            SlackLog.NoResponseUrl(logger, click.RequestId, click.UserId);
            return;
        }

        try
        {
            await api.RespondEphemeralAsync(click.ResponseUrl, text, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is SlackApiException or HttpRequestException)
        {
            // A lost courtesy reply must not undo or hide the vote that was already handled.
            SlackLog.ReplyFailed(logger, ex, click.RequestId, click.UserId);
        }
    }

    private async Task AuditUnknownUserAsync(SlackInteraction click, CancellationToken cancellationToken)
    {
        if (services.GetService<IAuditLog>() is not { } audit)
        {
            return;
        }

        var data = new JsonObject
        {
            ["channel"] = SlackApprovalChannel.ChannelName,
            ["code"] = "unknown_slack_user",
            ["slack_user"] = click.UserId,
            ["slack_team"] = click.TeamId,
            ["action"] = click.ActionId,
            ["action_ts"] = click.ActionTs,
            ["received_at"] = time.GetUtcNow().ToString("O", CultureInfo.InvariantCulture),
            ["source"] = click.Source,
        };
        await audit.AppendAsync(
            new AuditEntry(AuditEventType.ApprovalRejected, "slack:" + click.UserId, null, null, click.RequestId, null, data),
            cancellationToken).ConfigureAwait(false);
    }

    private static string Describe(ApprovalOutcome outcome) => outcome switch
    {
        ApprovalOutcome.Approved => "approved",
        ApprovalOutcome.Denied => "denied",
        ApprovalOutcome.Expired => "expired — denied, no decision in time",
        _ => outcome.ToString().ToLowerInvariant(),
    };
}
