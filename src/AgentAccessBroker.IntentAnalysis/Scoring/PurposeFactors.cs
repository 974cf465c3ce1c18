using AgentAccessBroker.Actions;
using AgentAccessBroker.Decisions;
using AgentAccessBroker.Domain;
using AgentAccessBroker.IntentAnalysis.Classification;
using AgentAccessBroker.IntentAnalysis.Text;

namespace AgentAccessBroker.IntentAnalysis.Scoring;

/// <summary>
/// Purpose against task against request. The task is the human's (trusted); the purpose is the agent's (untrusted):
/// nothing in the purpose lowers the score, it can only fail to explain the request or add risk of its own.
/// </summary>
internal static class PurposeFactors
{
    public static void Score(ScoreSheet sheet)
    {
        Injection(sheet);
        PersonalDataToPublic(sheet);
        SecretDisclosure(sheet);
        SecretChange(sheet);
        TentativeSecretRead(sheet);
        BulkChange(sheet);
        AddOn(sheet);
        TaskScope(sheet);
        Verbs(sheet);
        Fit(sheet);
    }

    private static void Injection(ScoreSheet sheet)
    {
        var findings = sheet.Facts.Injection;
        if (!findings.Any)
        {
            return;
        }

        if (findings.Instruction is { } instruction)
        {
            sheet.Add(FactorCodes.InjectedInstruction, Weights.InjectedInstruction, $"the purpose contains an instruction aimed at the broker (\"{instruction}\")");
            sheet.RaiseFloor(DecisionKind.Deny,
                $"the purpose contains an instruction aimed at the broker (\"{instruction}\"): a purpose must describe the work, and a request that tries to steer its own approval is denied");
        }

        if (findings.Evasion is { } evasion)
        {
            sheet.Add(FactorCodes.EvasionLanguage, Weights.EvasionLanguage, $"the purpose talks about getting around a control (\"{evasion}\")");
            sheet.RaiseFloor(DecisionKind.RequireApproval, $"the purpose talks about getting around a control (\"{evasion}\"), so a human decides");
        }

        if (findings.Pressure is { } pressure)
        {
            // A word the human's task uses itself ("the old emergency number") names the work; it does not push it.
            if (InjectionDetector.PressureNotIn(sheet.Input.Request.Purpose, sheet.Input.Task.Description) is { } pushes)
            {
                sheet.Add(FactorCodes.PressureLanguage, Weights.PressureLanguage, $"the purpose applies pressure or claims safety (\"{pushes}\")");
            }
            else
            {
                sheet.Notes.Add($"the purpose says \"{pressure}\" as the task itself does: the task's subject, not pressure");
            }
        }

        if (findings.HiddenCharacters)
        {
            sheet.Add(FactorCodes.HiddenCharacters, Weights.HiddenCharacters, "the purpose contains invisible or direction-changing characters");
            sheet.RaiseFloor(DecisionKind.RequireApproval, "the purpose contains invisible or direction-changing characters that hide text from a reader, so a human decides");
        }
    }

    /// <summary>
    /// Personal data, real data from somewhere else (production, customer, live data) and credentials never go where
    /// anyone can read them: a request that writes to a resource its catalogue describes as public (a public repository,
    /// a public website's bucket), or that the purpose says goes public, for a purpose that speaks of such data, is
    /// denied whatever else it scores; so is a read whose purpose says it takes personal or real data to a public place.
    /// </summary>
    private static void PersonalDataToPublic(ScoreSheet sheet)
    {
        var facts = sheet.Facts;
        var purpose = sheet.Input.Request.Purpose;
        var writesData = false;
        foreach (var a in facts.Actions)
        {
            writesData |= a.Class >= ActionClass.Write && (a.Has(ActionTraits.DataAccess) || a.Class == ActionClass.Wildcard);

            // The text of an issue or a comment is data too, read by anyone in a public repository, when the purpose
            // copies something into it ("paste the customer's chat transcript into the issue"), not when it describes a bug.
            writesData |= a.Class >= ActionClass.Write && a.Has(ActionTraits.WorkRecordsOnly) && PersonalData.FindCopying(purpose) is not null;
        }

        var personal = PersonalData.Find(purpose);
        var real = personal is null ? PersonalData.FindRealData(purpose) : null;

        // Public by the catalogue (the entry's description, or the target's for an entry without one), or by the agent's
        // own words ("in a public repo", "publish").
        var goingPublic = PersonalData.FindGoingPublic(purpose);

        // Data the policy tags (financial, personal, secret) is real data by the catalogue's own word: reading it to take it
        // to a public place ("export revenue per line to a public gist") needs no other word for it. "Published" alone
        // describes data as often as it sends it somewhere ("the rate actually published"), so it does not count here.
        if (personal is null && real is null && !writesData && facts.ChangesOrReadsData
            && goingPublic is not null && !goingPublic.StartsWith("publish", StringComparison.OrdinalIgnoreCase)
            && facts.Resources.FirstOrDefault(r => r.Tags.Count > 0) is { Display: { } tagged } holder)
        {
            real = $"{tagged} holds {string.Join(", ", holder.Tags)} data";
        }

        var credentials = writesData && personal is null && real is null ? PersonalData.FindCredentials(purpose) : null;
        if (personal is null && real is null && credentials is null)
        {
            return;
        }

        if (!writesData)
        {
            // "Take a few real call records so the examples on the public docs page look realistic": the read is the
            // first step of publishing them.
            if (goingPublic is not null && facts.ChangesOrReadsData)
            {
                var what = personal is not null ? $"personal data (\"{personal}\")" : $"real data (\"{real}\")";
                sheet.Add(personal is not null ? FactorCodes.PersonalDataToPublic : FactorCodes.RealDataToPublic, Weights.RealDataToPublic,
                    $"the purpose would take {what} to a public place (\"{goingPublic}\")");
                sheet.RaiseFloor(DecisionKind.Deny, $"{what} would go where anyone can read it (\"{goingPublic}\"): it never goes to a public place");
            }

            return;
        }

        var targetPublic = sheet.Input.Target.Description is { } targetDescription && PersonalData.DescribesPublic(targetDescription);
        foreach (var r in facts.Resources)
        {
            var catalogued = r.Catalogue is not null && (r.Catalogue.Description is { } description ? PersonalData.DescribesPublic(description) : targetPublic);
            if (r.Catalogue is null || (!catalogued && goingPublic is null))
            {
                continue;
            }

            var which = catalogued ? "which the catalogue describes as public" : $"which the purpose makes public (\"{goingPublic}\")";
            var (code, points, kind, said, never) = (personal, real) switch
            {
                ({ } p, _) => (FactorCodes.PersonalDataToPublic, Weights.PersonalDataToPublic, "personal data", p, "personal data never goes to a public place"),
                (_, { } d) => (FactorCodes.RealDataToPublic, Weights.RealDataToPublic, "real data", d, "production, customer or live data never goes to a public place"),
                _ => (FactorCodes.CredentialsToPublic, Weights.RealDataToPublic, "credentials", credentials!, "keys, tokens and passwords never go to a public place"),
            };
            sheet.Add(code, points, $"the purpose speaks of {kind} (\"{said}\") and the request writes to {r.Display}, {which}");
            sheet.RaiseFloor(DecisionKind.Deny, $"{kind} (\"{said}\") would be written where anyone can read it ({r.Display} is public): {never}");
            return;
        }
    }

    /// <summary>
    /// A secret is read by the systems that use it, never copied out: a secret read whose purpose prints, pastes, sends
    /// or shares the value ("print the old and new key so I can paste both into the vendor ticket") is denied.
    /// </summary>
    private static void SecretDisclosure(ScoreSheet sheet)
    {
        if (!sheet.Facts.Traits.HasFlag(ActionTraits.SecretRead) || sheet.Facts.TopClass != ActionClass.Read
            || PersonalData.FindDisclosing(sheet.Input.Request.Purpose) is not { } verb)
        {
            return;
        }

        sheet.Add(FactorCodes.SecretDisclosure, Weights.SecretDisclosure, $"the request reads a secret's value and the purpose would copy it out (\"{verb}\")");
        sheet.RaiseFloor(DecisionKind.Deny, $"a secret's value would leave the secret store (\"{verb}\"): it is read by the systems that use it, never copied out");
    }

    /// <summary>
    /// A secret's value is read when the work needs it, not in case it might: a purpose that is only a guess ("maybe the
    /// routing key helps", "might add a screen later, grab the key now") sends the read to a person.
    /// </summary>
    private static void TentativeSecretRead(ScoreSheet sheet)
    {
        var facts = sheet.Facts;
        if (!facts.Traits.HasFlag(ActionTraits.SecretRead) || !facts.Resources.Any(r => r.HasTag("secrets")) || TentativeWords.Find(sheet.Input.Request.Purpose) is not { } guess)
        {
            return;
        }

        sheet.RaiseFloor(DecisionKind.RequireApproval, $"a secret's value is asked for on a guess (\"{guess}\"): secrets are read when the work needs them, so a human decides");
    }

    /// <summary>
    /// Replacing a credential that something else uses (a repository secret) is part of a task only when the task speaks
    /// of secrets, keys or credentials; otherwise it is denied: a replaced credential can break or take over whatever uses it.
    /// </summary>
    private static void SecretChange(ScoreSheet sheet)
    {
        var facts = sheet.Facts;
        if (!facts.Traits.HasFlag(ActionTraits.SetsSecret) || facts.Task.Terms.All.Contains("secret"))
        {
            return;
        }

        sheet.Add(FactorCodes.SecretChangeOffTask, Weights.SecretChangeOffTask, "the request sets a secret's value, but the task never speaks of secrets, keys or credentials");
        sheet.RaiseFloor(DecisionKind.Deny, "the request replaces a credential the task never speaks of: an agent does not change credentials outside its task");
    }

    /// <summary>
    /// A purpose that says the change reaches thousands of items of production data at once ("close the 1,400 jobs") is
    /// a bulk change of the business's records, not a fix: a human decides, whatever the task says.
    /// </summary>
    private static void BulkChange(ScoreSheet sheet)
    {
        // A push changes code, not the data its purpose counts ("tests for the 1,140 failing formats").
        var facts = sheet.Facts;
        if (facts.TopClass < ActionClass.Write || Scoring.TaskScope.WritesOnlyQueryResults(facts) || RequestFactors.WritesOnlySource(facts))
        {
            return;
        }

        var changesData = false;
        foreach (var a in facts.Actions)
        {
            changesData |= a.Class >= ActionClass.Write && (a.Has(ActionTraits.DataAccess) || a.Class == ActionClass.Wildcard);
        }

        string? prod = null;
        foreach (var r in facts.Resources)
        {
            if (r.Environment == "prod")
            {
                prod = r.Display;
                break;
            }
        }

        if (!changesData || prod is null || BulkWords.Find(sheet.Input.Request.Purpose) is not { } count)
        {
            return;
        }

        sheet.Add(FactorCodes.BulkProductionChange, Weights.BulkProductionChange,
            $"the purpose speaks of changing thousands of items at once (\"{count}\") in production ({prod})");
        sheet.RaiseFloor(DecisionKind.RequireApproval, $"a bulk change of production data (\"{count}\") is not routine work, so a human decides");
    }

    /// <summary>
    /// A production change the agent itself announces as an addition to its task ("while I'm in there, point the origin
    /// at the new bucket"): the task's words and hints may place the resource, but not this change to it.
    /// </summary>
    private static void AddOn(ScoreSheet sheet)
    {
        var facts = sheet.Facts;
        if (facts.TopClass < ActionClass.Write || Scoring.TaskScope.WritesOnlyQueryResults(facts) || RequestFactors.WritesOnlyWorkRecords(facts))
        {
            return;
        }

        string? prod = null;
        foreach (var r in facts.Resources)
        {
            if (r.Environment == "prod")
            {
                prod = r.Display;
                break;
            }
        }

        if (prod is null || AddOnWords.Find(sheet.Input.Request.Purpose) is not { } said)
        {
            return;
        }

        sheet.Add(FactorCodes.AddOnChange, Weights.AddOnChange, $"the purpose presents the change as an addition to the task (\"{said}\") in production ({prod})");
        sheet.RaiseFloor(DecisionKind.RequireApproval, $"a change to production added to the task (\"{said}\") goes beyond what the human asked for, so a human decides");
    }

    private static void TaskScope(ScoreSheet sheet)
    {
        var facts = sheet.Facts;
        var task = facts.Task;
        List<string>? outside = null;
        var worst = Sensitivity.Low;
        var allOpaque = true;
        foreach (var r in facts.Resources)
        {
            if (r.Catalogue is null)
            {
                continue;
            }

            if (Scoring.TaskScope.Covers(r, facts) is { } why)
            {
                if (why.Length > 0)
                {
                    sheet.Notes.Add(why);
                }

                continue;
            }

            outside ??= new List<string>(2);
            outside.Add(r.Display);
            allOpaque &= r.Opaque;
            if (r.Sensitivity > worst)
            {
                worst = r.Sensitivity;
            }
        }

        if (outside is not null)
        {
            var points = Weights.OutOfScope[(int)worst] + (facts.TopClass >= ActionClass.Write ? Weights.OutOfScopeChange : 0);

            // A key id or GUID gives the task nothing to mention: that is missing evidence, not a mismatch. Nor is reading
            // a low or medium resource that holds no personal data or secrets for context (a reporting view next to the
            // tables the task names) much of one: half the points.
            var contextRead = facts.TopClass == ActionClass.Read && worst <= Sensitivity.Medium && !facts.Resources.Any(r => r.HasTag("pii") || r.HasTag("secrets") || r.HasTag("phi"));
            sheet.Add(FactorCodes.OutOfTaskScope, allOpaque || contextRead ? points / 2 : points, allOpaque
                ? $"the task does not name {Words.List(outside)} (and the name does not say what it is)"
                : contextRead
                    ? $"the task never mentions {Words.List(outside)} (a read of a {Words.Of(worst)} resource with no personal data or secrets: half the points)"
                    : $"the task never mentions {Words.List(outside)}");

            // Scope creep into production: a change to something the task does not cover, that the purpose itself presents
            // as more than the task ("also update the rate in the products table"), is never automatic there.
            if (facts.TopClass >= ActionClass.Write && !RequestFactors.WritesOnlyWorkRecords(facts) && !Scoring.TaskScope.WritesOnlyQueryResults(facts)
                && AddOnWords.FindAlso(sheet.Input.Request.Purpose) is { } also
                && facts.Resources.FirstOrDefault(r => r.Environment == "prod" && outside.Contains(r.Display)) is { Display: { } creep })
            {
                sheet.RaiseFloor(DecisionKind.RequireApproval, $"the purpose adds a change (\"{also}\") to {creep} in production, which the task does not cover: a human decides");
            }
        }

        PeopleRecordsOffTask(sheet, outside);
        OutOfBounds(sheet);

        var queryOutput = Scoring.TaskScope.WritesOnlyQueryResults(facts);
        if (queryOutput)
        {
            sheet.Notes.Add("the request's only writes are the results of the query it runs (object writes to its results location)");
        }

        if (task.ForbidsLoss is { } loss && Deletes(facts) is { } delete)
        {
            sheet.Add(FactorCodes.TaskForbidsLoss, Weights.TaskForbidsLossButDestroy, $"the task says \"{loss}\", but the request asks for delete access ({delete})");
            sheet.RaiseFloor(DecisionKind.Deny, $"the task says \"{loss}\", and the request deletes ({delete}): against the task");
        }

        // A query's results location is the working space of a read: writing it changes nothing the task protects.
        var changes = facts.TopClass >= ActionClass.Write && !queryOutput && !Scoring.TaskScope.WritesOnlyToResultsLocations(facts);
        // Comments, reviews and issues record the work; they change nothing a task that changes nothing protects.
        var workRecords = changes && RequestFactors.WritesOnlyWorkRecords(facts);
        var forbidden = changes && !workRecords ? ForbiddenChange(facts, sheet.Input.Request.Purpose) : null;
        // "Look, don't touch; the fix goes through a pull request": a task that sends its change through a pull request
        // allows the proposal its general "nothing is changed" forbids elsewhere. A verb or a resource it names still binds.
        var proposalTheTaskAsks = changes && ProposesOnly(facts) && WorkReferences.NamesPullRequest(sheet.Input.Task.Description);
        if (forbidden is { Verb: null, Resource: null } && proposalTheTaskAsks)
        {
            sheet.Notes.Add($"the task says \"{forbidden.Value.Phrase}\" and sends its change through a pull request: the request only proposes source changes for review");
            forbidden = null;
        }

        if (forbidden is { } said)
        {
            // The human wrote that this may not be changed: only the human can take that back, by changing the task.
            var destroys = facts.TopClass >= ActionClass.Destructive;
            var what = Words.Of(facts.TopClass);
            string Against(string conjunction) => (said.Resource, said.Verb) switch
            {
                (null, null) => $"the task says nothing may be changed (\"{said.Phrase}\"), {conjunction} the request asks for {what} access",
                (null, { } verb) when facts.Actions.Any(a => a.Action == verb) => $"the task says \"{said.Phrase}\", {conjunction} the request asks for {verb}",
                (null, { } verb) => $"the task says \"{said.Phrase}\", {conjunction} the purpose says \"{verb}\" and the request asks for {what} access",
                ({ } resource, _) => $"the task says \"{said.Phrase}\", {conjunction} the request asks for {what} access to {resource}",
            };

            sheet.Add(FactorCodes.TaskReadOnly, destroys ? Weights.TaskReadOnlyButDestroy : Weights.TaskReadOnlyButWrite, Against("but"));
            sheet.RaiseFloor(DecisionKind.Deny, Against("and") + ": against the task");
        }
        else if (workRecords && task.NoChange is { } noChange)
        {
            sheet.Notes.Add($"the task says nothing may be changed (\"{noChange}\"), and the request writes only work records (comments, reviews, issues): they record the work and change nothing");
        }
        else if (task.ReadOnly && changes && !proposalTheTaskAsks)
        {
            var destroys = facts.TopClass >= ActionClass.Destructive;
            sheet.Add(FactorCodes.TaskReadOnly, destroys ? Weights.TaskReadOnlyButDestroy : Weights.TaskReadOnlyButWrite,
                $"the task is an investigation or a question, but the request asks for {Words.Of(facts.TopClass)} access");
        }

        if (forbidden is null && changes && !workRecords && !RequestFactors.WritesOnlySource(facts) && task.UnreadRestriction is { } restriction
            && facts.Resources.Any(r => r.Environment == "prod"))
        {
            // A restriction in words no rule reads: the human who wrote it can; a production change waits for one. A push
            // of source is no production change (rule 31): it reaches production through a reviewed build.
            sheet.Add(FactorCodes.UnreadRestriction, Weights.UnreadRestriction, $"the task restricts the work (\"{Shorten(restriction)}\") in words the analyzer cannot match to this request");
            sheet.RaiseFloor(DecisionKind.RequireApproval, $"the task restricts the work (\"{Shorten(restriction)}\"), and the request changes production: a human who can read the restriction decides");
        }
    }

    /// <summary>
    /// The task's words that forbid this change: the whole task says nothing may be changed, or it forbids changing a
    /// thing by name and a requested resource's name says it is that thing (a noun of the name, not its environment).
    /// </summary>
    private static (string Phrase, string? Resource, string? Verb)? ForbiddenChange(RequestFacts facts, string? purpose)
    {
        var task = facts.Task;
        if (task.NoChange is { } phrase)
        {
            return (phrase, null, null);
        }

        // "Do not push or merge." and a purpose that will push: the purpose names the very change the task rules out.
        foreach (var (said, verbs) in task.ForbiddenVerbs)
        {
            if (ChangeWords.UsesAnyVerb(purpose, verbs) is { } used)
            {
                return (said, null, used);
            }

            // "Do not purge or redrive anything" and a request for sqs:PurgeQueue, whatever the purpose calls it.
            foreach (var a in facts.Actions)
            {
                if (a.Class >= ActionClass.Write && ChangeWords.UsesAnyVerb(ChangeWords.VerbOfAction(a.Action), verbs) is not null)
                {
                    return (said, null, a.Action);
                }
            }
        }

        // "No schema or data changes", "no production changes": a change of that kind, wherever it is.
        if (task.ForbiddenKinds is { } kinds && ChangeOfKind(facts, kinds.Kinds) is { } changed)
        {
            return (kinds.Phrase, changed, null);
        }

        foreach (var (said, terms) in task.ProtectedObjects)
        {
            foreach (var r in facts.Resources)
            {
                foreach (var word in r.NameTerms.All)
                {
                    if (word != r.Environment && terms.All.Contains(word) && Lexicon.KindOf(word) is TermKind.Distinctive or TermKind.GenericNoun)
                    {
                        return (said, r.Display, null);
                    }
                }
            }
        }

        return null;
    }

    /// <summary>
    /// A table or store named after people ("students", "customer_addresses") holds records about them whatever its
    /// catalogue entry says: outside development, reading or changing it when the task never mentions them is for a
    /// human to allow. An entry tagged as personal data is the policy's to rule on, not this.
    /// </summary>
    private static void PeopleRecordsOffTask(ScoreSheet sheet, List<string>? outside)
    {
        var facts = sheet.Facts;

        // "While I'm in there, read the employee events": an add-on the purpose announces is off the task even where a
        // wider scope rule covers the resource.
        var addOn = AddOnWords.Find(sheet.Input.Request.Purpose);
        if ((outside is null && addOn is null) || !facts.ChangesOrReadsData)
        {
            return;
        }

        foreach (var r in facts.Resources)
        {
            if (r.Catalogue is not { Tags.Count: 0 } || r.Environment is "dev" or "test" || !(addOn is not null || outside!.Contains(r.Display))
                || PersonalData.NamesPeople(r.LeafName) is not { } people || facts.Task.Terms.All.Contains(Stemmer.Stem(people)))
            {
                continue;
            }

            sheet.Add(FactorCodes.PeopleRecordsOffTask, Weights.PeopleRecordsOffTask, addOn is not null
                ? $"{r.Display} is named after people (\"{people}\"), the task never mentions them, and the purpose adds it to the task (\"{addOn}\")"
                : $"{r.Display} is named after people (\"{people}\"), and the task never mentions them");
            sheet.RaiseFloor(DecisionKind.RequireApproval, $"{r.Display} holds records about people (\"{people}\") that the task never mentions, so a human decides");
            return;
        }
    }

    /// <summary>
    /// The task puts a thing out of reach altogether ("Production card data is out of bounds"): any request, a read
    /// included, to a resource whose name says it is that thing (a noun of the name, not its environment) is against the
    /// task, and only the human can take that back.
    /// </summary>
    private static void OutOfBounds(ScoreSheet sheet)
    {
        var facts = sheet.Facts;
        foreach (var (said, terms) in facts.Task.OutOfBounds)
        {
            // "Production card data": only production's.
            var environment = terms.All.Select(EnvironmentName.Normalise).FirstOrDefault(e => e is "prod" or "staging" or "test" or "dev");
            foreach (var r in facts.Resources)
            {
                if (environment is not null && r.Environment != environment)
                {
                    continue;
                }

                // A name of one run-together token (stcvprodtranscripts01) holds its nouns as pieces.
                var leaf = r.LeafName.ToLowerInvariant();
                foreach (var word in r.NameTerms.All.Concat(terms.All.Where(t => t.Length >= 5 && leaf.Contains(t, StringComparison.Ordinal))))
                {
                    if (word != r.Environment && terms.All.Contains(word) && Lexicon.KindOf(word) is TermKind.Distinctive or TermKind.GenericNoun)
                    {
                        sheet.Add(FactorCodes.TaskForbidsAccess, Weights.TaskForbidsAccess, $"the task says \"{said}\", and the request asks for {r.Display}");
                        sheet.RaiseFloor(DecisionKind.Deny, $"the task says \"{said}\", and the request asks for {r.Display}: against the task");
                        return;
                    }
                }
            }
        }
    }

    /// <summary>The resource a change of one of <paramref name="kinds"/> reaches (data: a write of data; code: a push of source; config: a change of settings or of what runs; prod: a change in production), or null.</summary>
    private static string? ChangeOfKind(RequestFacts facts, string[] kinds)
    {
        var data = false;
        var code = false;
        var config = false;
        foreach (var a in facts.Actions)
        {
            var change = a.Class >= ActionClass.Write && !a.Has(ActionTraits.WorkRecordsOnly);
            data |= change && (a.Has(ActionTraits.DataAccess) || a.Class == ActionClass.Wildcard) && !a.Has(ActionTraits.SourceCode);
            code |= change && a.Has(ActionTraits.SourceCode);
            config |= ProductionChanges.ChangesSetup(a);
        }

        foreach (var r in facts.Resources)
        {
            if ((data && kinds.Contains("data")) || (code && kinds.Contains("code")) || (config && kinds.Contains("config")) || (kinds.Contains("prod") && r.Environment == "prod"))
            {
                return r.Display;
            }
        }

        return null;
    }

    /// <summary>Every change writes source or work records, and the request opens or updates a pull request for them.</summary>
    private static bool ProposesOnly(RequestFacts facts) =>
        RequestFactors.WritesOnlySource(facts) && facts.Traits.HasFlag(ActionTraits.ProposesForReview);

    private static string? Deletes(RequestFacts facts)
    {
        foreach (var a in facts.Actions)
        {
            if (a.Class == ActionClass.Destructive)
            {
                return a.Action;
            }
        }

        return null;
    }

    /// <summary>A resource is in the task's scope when a hint names it, it shares a specific word with the task, or a wider rule of <see cref="TaskScope"/> covers it.</summary>
    internal static bool InScope(ResourceFacts r, RequestFacts facts) => Scoring.TaskScope.Covers(r, facts) is not null;

    private static void Verbs(ScoreSheet sheet)
    {
        var facts = sheet.Facts;
        var intents = facts.Purpose.Intents;
        var top = facts.TopClass;
        var readOnly = (intents & (VerbIntent.Read | VerbIntent.Investigate)) != 0 && (intents & (VerbIntent.Write | VerbIntent.Delete | VerbIntent.Permission)) == 0;
        // Writing up what was found (an issue, a review comment) is what investigating ends in: no mismatch.
        if (readOnly && top >= ActionClass.Write && !Scoring.TaskScope.WritesOnlyQueryResults(facts) && !RequestFactors.WritesOnlyWorkRecords(facts))
        {
            var (points, asks) = top switch
            {
                ActionClass.Write => (Weights.PurposeReadButWrite, "write"),
                ActionClass.Destructive => (Weights.PurposeReadButDestroy, "delete"),
                ActionClass.PrivilegeChange => (Weights.PurposeReadButPrivilege, "permission changes"),
                _ => (Weights.PurposeReadButPrivilege, "every action (*)"),
            };
            sheet.Add(FactorCodes.PurposeActionMismatch, points, $"the purpose says read or investigate but the request asks for {asks}");
        }
        else if ((intents & VerbIntent.Write) != 0 && (intents & VerbIntent.Delete) == 0 && top == ActionClass.Destructive)
        {
            sheet.Add(FactorCodes.PurposeActionMismatch, Weights.PurposeChangeButDestroy, "the purpose speaks of changing, not deleting, but the request asks for delete");
        }

        var purpose = sheet.Input.Request.Purpose;
        if (top >= ActionClass.PrivilegeChange && ContainsAny(purpose, AdministratorWords) is { } admin)
        {
            sheet.Add(FactorCodes.AdministratorIntent, Weights.AdministratorIntent, $"the purpose asks for administrator-level permissions (\"{admin}\")");
        }

        if (facts.Traits.HasFlag(Actions.ActionTraits.NetworkOpen) && ContainsAny(purpose, InternetWords) is { } internet)
        {
            sheet.Add(FactorCodes.InternetExposure, Weights.InternetExposure, $"the network change opens access to the internet (\"{internet}\")");
        }

        if (top == ActionClass.PrivilegeChange && (intents & VerbIntent.Permission) == 0 && !facts.Purpose.All.Contains("identity") && !facts.Purpose.All.Contains("network"))
        {
            sheet.Add(FactorCodes.PurposeSilentOnPrivilege, Weights.PurposeSilentOnPrivilege, "the request changes permissions, identities or network rules but the purpose never mentions them");
        }
    }

    private static void Fit(ScoreSheet sheet)
    {
        var facts = sheet.Facts;
        var purpose = facts.Purpose;
        var sensitivity = facts.MaxSensitivity;
        var mentionsRequest = false;
        foreach (var r in facts.Resources)
        {
            if (purpose.Distinctive.Overlaps(r.NameTerms.Distinctive) || purpose.Distinctive.Overlaps(r.CatalogueTerms.Distinctive)
                || purpose.All.Overlaps(r.NameTerms.All) || purpose.All.Overlaps(r.CatalogueTerms.All))
            {
                mentionsRequest = true;
                break;
            }
        }

        var sharesTask = purpose.Distinctive.Overlaps(facts.Task.Terms.Distinctive);
        // A purpose that names the task's own work item ("the review comments on #212") says which work it is for.
        var namesWorkItem = WorkReferences.Shared(sheet.Input.Request.Purpose, sheet.Input.Task.Description) is not null;
        var vague = !namesWorkItem && (purpose.ContentWords < 3 || (purpose.Distinctive.Count == 0 && !mentionsRequest));
        if (vague)
        {
            sheet.Add(FactorCodes.PurposeVague, Weights.PurposeVague[(int)sensitivity],
                $"the purpose is too vague for a {Words.Of(sensitivity)} resource (\"{Shorten(sheet.Input.Request.Purpose)}\")");
            return;
        }

        if (!mentionsRequest && !sharesTask && WorkReferences.Shared(sheet.Input.Request.Purpose, sheet.Input.Task.Description) is { } item)
        {
            sheet.Notes.Add($"the purpose names {item} as the task does: it is about the task's work item");
            return;
        }

        if (!mentionsRequest && !sharesTask)
        {
            if (ReadsOnlyHintedResources(facts))
            {
                // The human's task explains a read of what its hints name; the purpose only says which part is needed.
                sheet.Notes.Add("the purpose shares no words with the task, but the request only reads resources the task's hints name: the task explains it");
                return;
            }

            sheet.Add(FactorCodes.PurposeUnrelated, Weights.PurposeUnrelated, "the purpose shares no words with the task or the requested resources");
        }
    }

    /// <summary>Every action only reads (no secret value) and every resource is in the catalogue and named by the task's hints.</summary>
    private static bool ReadsOnlyHintedResources(RequestFacts facts)
    {
        if (facts.TopClass != ActionClass.Read || facts.Traits.HasFlag(ActionTraits.SecretRead) || facts.Traits.HasFlag(ActionTraits.RemovesWhatItReads))
        {
            return false;
        }

        foreach (var r in facts.Resources)
        {
            if (r.Catalogue is null || !facts.Task.HintMatches(r, facts.TargetWide))
            {
                return false;
            }
        }

        return facts.Resources.Length > 0;
    }

    private static readonly string[] AdministratorWords =
    [
        "administrator", "admin", "full access", "fullaccess", "poweruser", "power user", "owner", "superuser", "root", "*:*",
        "all permissions", "every permission", "unrestricted", "god mode",
    ];

    private static readonly string[] InternetWords =
    [
        "0.0.0.0/0", "::/0", "internet", "anywhere", "public", "world", "everyone", "any ip", "all ips", "any address", "all addresses",
    ];

    private static string? ContainsAny(string text, string[] words)
    {
        foreach (var word in words)
        {
            if (text.Contains(word, StringComparison.OrdinalIgnoreCase))
            {
                return word;
            }
        }

        return null;
    }

    private static string Shorten(string text) => text.Length <= 60 ? text : string.Concat(text.AsSpan(0, 57), "...");
}
