using System.CommandLine;
using System.Globalization;
using AgentAccessBroker.Client;

namespace AgentAccessBroker.Cli.Commands;

/// <summary>
/// <c>aab request</c> and <c>aab claim</c> (as an agent), <c>aab requests</c>, <c>aab approve</c> and <c>aab deny</c>.
/// With <c>--format</c>, stdout carries only the credential (in that form) and the decision goes to stderr, so
/// <c>conn=$(aab claim ID --format libpq)</c> captures exactly the credential.
/// </summary>
internal static class RequestCommands
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(2);

    public static Command CreateRequest()
    {
        var target = new Option<string>("--target") { Description = "Policy target", Required = true };
        var resources = new Option<string[]>("--resource") { Description = "Resource (repeatable)", Required = true, AllowMultipleArgumentsPerToken = true };
        var actions = new Option<string[]>("--action") { Description = "Action (repeatable)", Required = true, AllowMultipleArgumentsPerToken = true };
        var purpose = new Option<string>("--purpose") { Description = "Why the access is needed", Required = true };
        var duration = new Option<string>("--duration") { Description = "How long (15m, 1h)", DefaultValueFactory = _ => "15m" };
        var dryRun = new Option<bool>("--dry-run") { Description = "Only show the decision" };
        var (wait, timeout, format) = ClaimOptions();
        var command = new Command("request", "Request access as an agent (needs AAB_TOKEN of an agent and AAB_TASK_TOKEN).") { target, resources, actions, purpose, duration, dryRun, wait, timeout, format };
        command.SetAction(async (result, cancellationToken) =>
        {
            using var client = CliContext.ConnectAgent(result.GetValue(CommonOptions.Server), result.GetValue(CommonOptions.Token), needsTaskToken: true);
            var outcome = await client.SubmitRequestAsync(new AccessRequestBody(result.GetValue(target)!, result.GetValue(resources)!, result.GetValue(actions)!,
                result.GetValue(purpose)!, result.GetValue(duration)!, result.GetValue(dryRun)), cancellationToken);
            var chosen = result.GetValue(format);
            if (outcome.Outcome == "pending_approval" && result.GetValue(wait))
            {
                Print(outcome, chosen, final: false);
                outcome = await WaitAsync(client, outcome.Request.Id, result.GetValue(timeout)!, cancellationToken);
            }

            Print(outcome, chosen, final: true);
            return outcome.Outcome switch
            {
                "granted" or "evaluated" => 0,
                "pending_approval" => result.GetValue(wait) ? 6 : 0,
                _ => 4,
            };
        });
        return command;
    }

    public static Command CreateClaim()
    {
        var id = new Argument<string>("request") { Description = "Request id (from 'aab request' or 'aab requests')" };
        var (wait, timeout, format) = ClaimOptions();
        var command = new Command("claim", "As the agent, collect the credential of an approved request (shown once).") { id, wait, timeout, format };
        command.SetAction(async (result, cancellationToken) =>
        {
            using var client = CliContext.ConnectAgent(result.GetValue(CommonOptions.Server), result.GetValue(CommonOptions.Token), needsTaskToken: false);
            var outcome = await client.ClaimRequestAsync(result.GetValue(id)!, cancellationToken);
            if (outcome.Outcome == "pending_approval" && result.GetValue(wait))
            {
                Print(outcome, result.GetValue(format), final: false);
                outcome = await WaitAsync(client, outcome.Request.Id, result.GetValue(timeout)!, cancellationToken);
            }

            Print(outcome, result.GetValue(format), final: true);
            return outcome.Outcome switch
            {
                "granted" => 0,
                "pending_approval" => 6,
                _ => 4,
            };
        });
        return command;
    }

    public static Command CreateRequests()
    {
        var status = new Option<string?>("--status") { Description = "pending, approved, issued, denied, expired or failed" };
        var task = new Option<string?>("--task") { Description = "Only this task" };
        var command = new Command("requests", "List access requests (approvers see every pending request).") { status, task };
        var listing = new Listing();
        listing.AddTo(command);
        command.SetAction(async (result, cancellationToken) =>
        {
            using var client = CliContext.Connect(result.GetValue(CommonOptions.Server), result.GetValue(CommonOptions.Token));
            var requests = await client.ListRequestsAsync(result.GetValue(status), result.GetValue(task), cancellationToken);
            listing.Print(result, requests,
                [TableColumn.Id("id"), TableColumn.Text("agent", dropOrder: 2), TableColumn.Text("target", 6, dropOrder: 3), TableColumn.Text("actions", 6), TableColumn.Text("resources", 12),
                    TableColumn.Text("status", 8), TableColumn.Exact("score"), TableColumn.Exact("created", dropOrder: 1), TableColumn.Text("purpose", 10)],
                r => [r.Id, r.Agent, r.Target, string.Join(" ", r.Actions), string.Join(" ", r.Resources), r.Status,
                    r.Assessment?.Score.ToString(CultureInfo.InvariantCulture), Output.Time(r.CreatedAt), r.Purpose],
                r => r.Id);
            return 0;
        });
        return command;
    }

    public static Command CreateVote(bool approve)
    {
        var id = new Argument<string>("request") { Description = "Request id" };
        var duration = new Option<string?>("--duration") { Description = "Approve for a shorter time (15m)" };
        var comment = new Option<string?>("--comment") { Description = "Why" };
        var command = approve
            ? new Command("approve", "Approve a pending request (as an approver).") { id, duration, comment }
            : new Command("deny", "Deny a pending request (as an approver).") { id, comment };
        command.SetAction(async (result, cancellationToken) =>
        {
            using var client = CliContext.Connect(result.GetValue(CommonOptions.Server), result.GetValue(CommonOptions.Token));
            var body = new VoteBody(approve ? result.GetValue(duration) : null, result.GetValue(comment));
            var vote = approve ? await client.ApproveAsync(result.GetValue(id)!, body, cancellationToken) : await client.DenyAsync(result.GetValue(id)!, body, cancellationToken);
            Output.Line($"{vote.Message} Request {vote.Request} is {vote.Status ?? "undecided"}.");
            Output.Line($"approvals: {Names(vote.Approvals)}; denials: {Names(vote.Denials)}");
            return 0;
        });
        return command;
    }

    private static string Names(IReadOnlyList<string> names) => names.Count == 0 ? "none" : string.Join(", ", names);

    private static (Option<bool> Wait, Option<string> Timeout, Option<string?> Format) ClaimOptions()
    {
        var wait = new Option<bool>("--wait") { Description = "When a human must decide, wait for the decision, then claim the credential" };
        var timeout = new Option<string>("--timeout") { Description = "How long --wait waits (30m)", DefaultValueFactory = _ => "30m" };
        var format = new Option<string?>("--format") { Description = "Print only the credential, as env, json, credential-process (AWS) or libpq (PostgreSQL)" };
        format.AcceptOnlyFromAmong(CredentialFormats.Names);
        return (wait, timeout, format);
    }

    private static async Task<RequestOutcomeView> WaitAsync(BrokerClient client, string requestId, string timeoutText, CancellationToken cancellationToken)
    {
        if (!Policy.PolicyDuration.TryParse(timeoutText, out var timeout))
        {
            throw new CliException($"--timeout '{timeoutText}' is not a duration (30m, 1h).");
        }

        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        try
        {
            while (true)
            {
                // Polling: the approval can come from Slack, the CLI or the API, and the claim endpoint is the one place
                // that turns an approval into a credential for this agent.
                await Task.Delay(PollInterval, deadline.Token);
                var outcome = await client.ClaimRequestAsync(requestId, deadline.Token);
                if (outcome.Outcome != "pending_approval")
                {
                    return outcome;
                }
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new CliException($"request {requestId} is still waiting for a human after {timeoutText}; run 'aab claim {requestId} --wait' to keep waiting.", 6);
        }
    }

    private static void Print(RequestOutcomeView outcome, string? format, bool final)
    {
        // With --format, stdout is reserved for the credential.
        var text = format is null ? Console.Out : Console.Error;
        var request = outcome.Request;
        text.WriteLine($"request: {request.Id}");
        text.WriteLine($"outcome: {outcome.Outcome}");
        text.WriteLine(outcome.Message);
        if (outcome.Outcome == "pending_approval")
        {
            if (!final)
            {
                text.WriteLine("waiting for the decision (Ctrl+C stops waiting; 'aab claim' resumes)...");
                return;
            }
        }

        if (request.Assessment is { } assessment)
        {
            text.WriteLine($"score: {assessment.Score.ToString(CultureInfo.InvariantCulture)}");
            foreach (var factor in assessment.Factors)
            {
                text.WriteLine($"  {(factor.Points >= 0 ? "+" : string.Empty)}{factor.Points,3}  {factor.Explanation}");
            }

            if (assessment.NarrowerRequest is { } narrower)
            {
                text.WriteLine($"Would be granted instead: {string.Join(" ", narrower.Actions)} on {string.Join(" ", narrower.Resources)} for {narrower.Duration} ({narrower.Explanation})");
            }
        }

        if (DurationNotes.Of(request) is { } note)
        {
            text.WriteLine(note);
        }

        if (outcome.Lease is { } lease)
        {
            text.WriteLine($"lease: {lease.Id} until {Output.Time(lease.ExpiresAt)}");
        }

        if (outcome.Credential is { } credential)
        {
            if (format is null)
            {
                Output.Styled("yellow", "Credential (shown once):");
            }

            Console.Out.WriteLine(CredentialFormats.Render(credential, format ?? "env"));
        }
    }
}
