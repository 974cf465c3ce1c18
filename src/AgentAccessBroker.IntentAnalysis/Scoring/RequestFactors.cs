using AgentAccessBroker.Actions;
using AgentAccessBroker.Decisions;
using AgentAccessBroker.Domain;
using AgentAccessBroker.IntentAnalysis.Classification;
using AgentAccessBroker.Policy;

using AgentAccessBroker.IntentAnalysis.Text;

namespace AgentAccessBroker.IntentAnalysis.Scoring;

/// <summary>Factors of the request itself: what it does, to what, how broadly and for how long.</summary>
internal static class RequestFactors
{
    public static void Score(ScoreSheet sheet, SensitivityRules rules)
    {
        var facts = sheet.Facts;
        ActionClass(sheet, facts);
        Environment(sheet, facts);
        DataTags(sheet, facts);
        AuditRecords(sheet, facts);
        Breadth(sheet, facts);
        Duration(sheet, facts, rules);
    }

    /// <summary>
    /// Audit records (an audit table, a CloudTrail bucket, an audit log) are the evidence of what happened: an agent
    /// never deletes them, whatever the reason given.
    /// </summary>
    private static void AuditRecords(ScoreSheet sheet, RequestFacts facts)
    {
        if (facts.TopClass < Domain.ActionClass.Destructive)
        {
            return;
        }

        foreach (var r in facts.Resources)
        {
            if (AuditWords.NamesAuditRecords(r.Name) || (r.Catalogue?.Description is { } description && AuditWords.NamesAuditRecords(description)))
            {
                sheet.Add(FactorCodes.DestroysAuditRecords, Weights.DestroysAuditRecords, $"the request deletes from {r.Display}, which holds audit records");
                sheet.RaiseFloor(DecisionKind.Deny, $"{r.Display} holds audit records, the evidence of what happened: an agent never deletes them");
                return;
            }
        }
    }

    private static void ActionClass(ScoreSheet sheet, RequestFacts facts)
    {
        if (facts.Resources.Length == 0 || facts.Actions.Length == 0)
        {
            return;
        }

        // The worst pair decides: the most sensitive resource touched by the most risky action. A query whose writes
        // can only reach its own results location is scored as the read it is.
        var confined = TaskScope.WritesConfinedToQueryResults(facts);
        var top = confined ? Domain.ActionClass.Read : facts.TopClass;
        var sensitivity = facts.MaxSensitivity;
        var points = Weights.ActionBySensitivity[(int)top, (int)sensitivity];
        var actions = new List<string>(2);
        foreach (var a in facts.Actions)
        {
            if (a.Class == top && actions.Count < 2)
            {
                actions.Add(a.Action);
            }
        }

        if (facts.WorkRecordsOnlyOf is { } own)
        {
            sheet.Notes.Add($"the request only writes work records (issues, comments, reviews) and reads source: assessed as a low-sensitivity request, not by the {Words.Of(own)} sensitivity of the repository's code and data");
        }

        sheet.Add(FactorCodes.ActionClass, points, confined
            ? $"read access ({string.Join(", ", actions)}) to a {Words.Of(sensitivity)} resource; its only writes are the query's results, and they can reach nothing but the results location"
            : $"{Words.Of(top)} access ({string.Join(", ", actions)}) to a {Words.Of(sensitivity)} resource");

        if (top == Domain.ActionClass.Read && sensitivity >= Sensitivity.High)
        {
            foreach (var a in facts.Actions)
            {
                if (a.Has(ActionTraits.RemovesWhatItReads))
                {
                    sheet.Add(FactorCodes.ReadRemovesItems, Weights.ReadRemovesItems,
                        $"{a.Action} can also remove what it reads (settle, and so delete, the messages it receives) on a {Words.Of(sensitivity)} resource");
                    sheet.RaiseFloor(DecisionKind.RequireApproval,
                        $"{a.Action} reads, but can also remove the messages it reads from a {Words.Of(sensitivity)} resource, so a human decides");
                    break;
                }
            }
        }

        var unrecognised = new List<string>();
        foreach (var a in facts.Actions)
        {
            if (a.Has(ActionTraits.Unrecognised))
            {
                unrecognised.Add(a.Action);
            }
        }

        if (unrecognised.Count > 0)
        {
            sheet.Add(FactorCodes.UnrecognisedAction, Weights.UnrecognisedAction, $"the {sheet.Input.Target.Connector} connector does not know the action {Words.List(unrecognised)}: unrecognised, so scored as a write");
        }
    }

    private static void Environment(ScoreSheet sheet, RequestFacts facts)
    {
        string? prod = null;
        foreach (var r in facts.Resources)
        {
            if (r.Environment == "prod")
            {
                prod = r.Display;
                break;
            }
        }

        var change = facts.TopClass >= Domain.ActionClass.Write && !TaskScope.WritesOnlyQueryResults(facts);
        if (prod is null)
        {
            HigherEnvironmentChange(sheet, facts, change);
            return;
        }

        if (change && WritesOnlyWorkRecords(facts))
        {
            // An issue edited in the repository that deploys to production changes no code and nothing that runs.
            sheet.Add(FactorCodes.Production, Weights.ProductionRead, $"changes only work records (issues, discussions, pull request conversations) in production ({prod}), nothing that runs there");
        }
        else
        {
            sheet.Add(FactorCodes.Production, change ? Weights.ProductionChange : Weights.ProductionRead,
                change ? $"changes production ({prod})" : $"reads production ({prod})");
        }

        var taskEnv = facts.Task.Environment;
        if (taskEnv is not null && taskEnv != "prod" && !change && ReadsOnlySourceOrRecords(facts))
        {
            sheet.Notes.Add($"the task is about {taskEnv} and {prod} is catalogued in prod, but the request only reads source and work records: reading code is no change to any environment");
        }
        else if (taskEnv is not null && taskEnv != "prod" && change && (WritesOnlySource(facts) || WritesOnlyWorkRecords(facts)))
        {
            // A source repository's environment says where its code deploys to: a push lands in the repository and
            // reaches prod only through a build and a deployment, as it would under a prod task.
            sheet.Notes.Add($"the task is about {taskEnv} and {prod} is catalogued in prod, but the request changes only source (and work records): it reaches prod only through a build and a deployment, so the environments do not conflict");
        }
        else if (taskEnv is not null && taskEnv != "prod")
        {
            sheet.Add(FactorCodes.EnvironmentMismatch, Weights.TaskEnvironmentMismatch, $"the task is about {taskEnv} but {prod} is in prod");
            if (change && !WritesOnlyWorkRecords(facts))
            {
                // The human scoped the work to another environment: changing production is outside what they allowed,
                // and a change to production needs a task declared for production.
                sheet.RaiseFloor(DecisionKind.Deny, $"the task is about {taskEnv}, and the request changes production ({prod}): outside what the task allows; a change to production needs a task for production");
            }
        }
    }

    /// <summary>
    /// A dev task that changes staging (or test): the human scoped the work to a lower environment, and a change one
    /// nearer production is theirs to allow. Reads, source pushes and work records are no conflict, nor is a change the
    /// task itself places there ("develop against dev, then run it on test": the hints name the target or the resource,
    /// or the task names the environment).
    /// </summary>
    private static void HigherEnvironmentChange(ScoreSheet sheet, RequestFacts facts, bool change)
    {
        var task = facts.Task;
        if (!change || Rank(task.Environment) is not { } taskRank || WritesOnlyWorkRecords(facts) || WritesOnlySource(facts)
            || sheet.Input.Task.ScopeHints.Contains(sheet.Input.Request.Target, StringComparer.OrdinalIgnoreCase))
        {
            return;
        }

        foreach (var r in facts.Resources)
        {
            if (Rank(r.Environment) > taskRank && !task.Terms.All.Contains(r.Environment!) && !task.HintMatches(r, facts.TargetWide))
            {
                var taskEnv = task.Environment;
                sheet.Add(FactorCodes.EnvironmentMismatch, Weights.TaskEnvironmentMismatch, $"the task is about {taskEnv} but {r.Display} is in {r.Environment}");
                sheet.RaiseFloor(DecisionKind.RequireApproval, $"the task is about {taskEnv}, and the request changes {r.Environment} ({r.Display}): a human decides");
                return;
            }
        }
    }

    private static int? Rank(string? environment) => environment switch
    {
        "dev" => 0,
        "test" => 1,
        "staging" => 2,
        _ => null,
    };

    /// <summary>Every action of the request reads a repository's source or its work records (the connector marks both).</summary>
    public static bool ReadsOnlySourceOrRecords(RequestFacts facts)
    {
        foreach (var a in facts.Actions)
        {
            if (a.Class != Domain.ActionClass.Read || !(a.Has(ActionTraits.SourceCode) || a.Has(ActionTraits.WorkRecordsOnly)))
            {
                return false;
            }
        }

        return facts.Actions.Length > 0;
    }

    /// <summary>
    /// Every change the request asks for writes source (a repository's code) or work records, and at least one writes
    /// source (the connector says which, <see cref="ActionTraits.SourceCode"/>).
    /// </summary>
    public static bool WritesOnlySource(RequestFacts facts)
    {
        var any = false;
        foreach (var a in facts.Actions)
        {
            if (a.Class == Domain.ActionClass.Read)
            {
                continue;
            }

            if (a.Class != Domain.ActionClass.Write || !(a.Has(ActionTraits.SourceCode) || a.Has(ActionTraits.WorkRecordsOnly)))
            {
                return false;
            }

            any |= a.Has(ActionTraits.SourceCode);
        }

        return any;
    }

    /// <summary>Every change the request asks for writes only the records people keep about the work (the connector says which).</summary>
    public static bool WritesOnlyWorkRecords(RequestFacts facts)
    {
        var any = false;
        foreach (var a in facts.Actions)
        {
            if (a.Class == Domain.ActionClass.Read)
            {
                continue;
            }

            if (a.Class != Domain.ActionClass.Write || !a.Has(ActionTraits.WorkRecordsOnly))
            {
                return false;
            }

            any = true;
        }

        return any;
    }

    private static void DataTags(ScoreSheet sheet, RequestFacts facts)
    {
        // Tags describe the data; they matter when the request can read, change or destroy that data, not when it only
        // reads or changes settings (DescribeTable on a pii table exposes no pii), nor when it reads or changes only the
        // source of a system: the code of a billing service holds no invoices.
        var touchesData = facts.ChangesOrReadsData || facts.TopClass >= Domain.ActionClass.Destructive;
        if (!touchesData)
        {
            return;
        }

        if (ReadsOnlySourceOrRecords(facts) || WritesOnlySource(facts))
        {
            if (facts.Resources.Any(r => r.Tags.Count > 0))
            {
                sheet.Notes.Add("the request reads or changes only source code: the data tags of the system it builds do not apply to its code");
            }

            return;
        }

        Tag(sheet, facts, "pii", Weights.TagPii, "personal data (pii)");
        Tag(sheet, facts, "secrets", Weights.TagSecrets, "secrets");
        Tag(sheet, facts, "financial", Weights.TagFinancial, "financial data");
        Tag(sheet, facts, "phi", Weights.TagHealth, "health data (phi)");
    }

    private static void Tag(ScoreSheet sheet, RequestFacts facts, string tag, int points, string words)
    {
        foreach (var r in facts.Resources)
        {
            if (r.HasTag(tag))
            {
                sheet.Add(FactorCodes.DataTag, points, $"{r.Display} holds {words}");
                return;
            }
        }
    }

    private static void Breadth(ScoreSheet sheet, RequestFacts facts)
    {
        var reads = facts.TopClass == Domain.ActionClass.Read;
        foreach (var r in facts.Resources)
        {
            if (r.Wildcard)
            {
                var table = reads ? Weights.WildcardResourceRead : Weights.WildcardResourceChange;
                sheet.Add(FactorCodes.WildcardResource, table[(int)facts.MaxSensitivity], $"the resource name {r.Name} is a wildcard");
                break;
            }
        }

        foreach (var r in facts.Resources)
        {
            if (r.Covered.Count > 0)
            {
                var names = new List<string>(r.Covered.Count);
                foreach (var entry in r.Covered)
                {
                    names.Add(RequestFacts.DisplayName(entry.Pattern));
                }

                sheet.Add(FactorCodes.WildcardCoversOthers, reads ? Weights.WildcardCoversOthersRead : Weights.WildcardCoversOthersChange,
                    $"{r.Display} also reaches {Words.List(names)} ({Words.Of(r.Sensitivity)})");
                break;
            }
        }

        if (BroadRole(facts) is { } role && ContainerScope(facts) is { } scope)
        {
            sheet.Add(FactorCodes.BroadRoleOnScope, Weights.BroadRoleOnScope, $"{role} on the whole of {scope} reaches everything in it");
        }

        if (facts.Traits.HasFlag(ActionTraits.DestroysStore))
        {
            // Emptying a table or purging a log keeps the store; deleting it (DROP, DeleteBucket) in production does not.
            var production = facts.Resources.Any(r => r.Environment == "prod")
                             && facts.Actions.Any(a => a.Has(ActionTraits.DestroysStore) && !a.Has(ActionTraits.KeepsStore));
            sheet.Add(FactorCodes.DestroysStore, Weights.DestroysStore[(int)facts.MaxSensitivity] + (production ? Weights.DestroysProductionStore : 0),
                production ? "destroys a whole production table, bucket, database or vault, not items in it" : "destroys a whole table, bucket, database or vault, not items in it");
        }

        foreach (var (above, points) in Weights.ResourceCount)
        {
            if (facts.Resources.Length > above)
            {
                sheet.Add(FactorCodes.ResourceCount, points, $"{facts.Resources.Length} resources in one request");
                break;
            }
        }

        foreach (var (above, points) in Weights.ActionCount)
        {
            if (facts.Actions.Length > above)
            {
                sheet.Add(FactorCodes.ActionCount, points, $"{facts.Actions.Length} actions in one request");
                break;
            }
        }
    }

    private static string? BroadRole(RequestFacts facts)
    {
        foreach (var a in facts.Actions)
        {
            if (a.Has(ActionTraits.BroadRole))
            {
                return a.Action.Trim();
            }
        }

        return null;
    }

    /// <summary>A subscription (<c>/subscriptions/{id}</c>) or resource group (<c>.../resourceGroups/{name}</c>) scope.</summary>
    private static string? ContainerScope(RequestFacts facts)
    {
        foreach (var r in facts.Resources)
        {
            if (IsContainerScope(r))
            {
                return r.Display;
            }
        }

        return null;
    }

    /// <summary>An Azure subscription or resource group: everything below it is reached.</summary>
    public static bool IsContainerScope(ResourceFacts r)
    {
        var parts = r.Name.Trim('/').Split('/');
        var subscription = parts.Length == 2 && parts[0].Equals("subscriptions", StringComparison.OrdinalIgnoreCase);
        return subscription || (parts.Length == 4 && parts[0].Equals("subscriptions", StringComparison.OrdinalIgnoreCase) && parts[2].Equals("resourceGroups", StringComparison.OrdinalIgnoreCase));
    }

    private static void Duration(ScoreSheet sheet, RequestFacts facts, SensitivityRules rules)
    {
        var requested = sheet.Input.Request.RequestedDuration;
        if (requested <= TimeSpan.Zero || rules.NormalDuration <= TimeSpan.Zero)
        {
            return;
        }

        // A coding session is longer than a query: for a request that changes only source and work records, up to four
        // times the normal duration (half a working day at a one-hour normal) is normal.
        var ratio = requested / rules.NormalDuration;
        if (facts.TopClass >= Domain.ActionClass.Write && WritesOnlySource(facts))
        {
            ratio /= 4;
        }

        foreach (var (above, points) in Weights.Duration)
        {
            if (ratio > above)
            {
                sheet.Add(FactorCodes.Duration, points,
                    $"asks for {Words.Of(requested)}, longer than the normal {Words.Of(rules.NormalDuration)} for {Words.Of(facts.MaxSensitivity)} resources");
                return;
            }
        }
    }
}
