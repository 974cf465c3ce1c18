using System.Text.RegularExpressions;

namespace AgentAccessBroker.IntentAnalysis.Text;

/// <summary>
/// Words of a task that forbid changes: the whole task ("do not change anything", "report only", "Read-only: …",
/// "Read only.") or one named thing ("do not change the baselines", "must not modify the tariffs"). A short list a
/// reviewer can read: it only tightens.
/// </summary>
internal static partial class ChangeWords
{
    private static readonly string[] NoChangePhrases =
    [
        "do not change anything", "don't change anything", "dont change anything", "change nothing", "do not modify anything",
        "don't modify anything", "do not make any change", "don't make any change", "make no change",
        "do not delete anything", "don't delete anything",
    ];

    /// <summary>
    /// The phrase of <paramref name="text"/> that says the task changes nothing at all, or null. Besides the fixed
    /// phrases: any change verb, or a list of them, negated over "anything" ("Do not regenerate, resend or delete
    /// anything", "without touching anything"); "X only" of an investigating kind of work ("Investigation only",
    /// "Review-only:"); the agent "only comments"/"only reads"; "just find out"/"just look"; "no changes."; "look but
    /// don't touch"; someone else "makes any changes herself"; and "Read-only" said of the work.
    /// </summary>
    public static string? FindNoChange(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return null;
        }

        foreach (var phrase in NoChangePhrases)
        {
            var at = text.IndexOf(phrase, StringComparison.OrdinalIgnoreCase);
            if (at >= 0)
            {
                return text.Substring(at, phrase.Length);
            }
        }

        foreach (var pattern in (ReadOnlyOf[])[ReadOnlyStatement, NegatedChangeOfAnything, InvestigatingWorkOnly, OnlyInvestigates, NoChangesStatement, LookDoNotTouch, SomeoneElseChanges])
        {
            var match = pattern().Match(text);
            if (match.Success)
            {
                return match.Groups["phrase"].Value.Trim();
            }
        }

        return null;
    }

    /// <summary>
    /// The things the task forbids changing by name ("do not change the baselines": "baselines"), each with the phrase
    /// that says so. Objects that say "anything" are whole-task forbiddance (<see cref="FindNoChange"/>).
    /// </summary>
    public static IReadOnlyList<(string Phrase, string Object)> FindProtectedObjects(string? text) => PhrasesWithObjects(DoNotChangePattern(), text);

    /// <summary>
    /// The change verbs the task forbids outright, with no object ("Do not push or merge.", "never redeploy;"), or leaves
    /// to someone else ("the product owner reviews and merges it"), each with the phrase that says so: the verbs, not a
    /// thing, are what the task rules out.
    /// </summary>
    public static IReadOnlyList<(string Phrase, string[] Verbs)> FindForbiddenVerbs(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return [];
        }

        List<(string, string[])>? found = null;
        foreach (var pattern in (ReadOnlyOf[])[ForbiddenVerbsPattern, SomeoneElseDoesPattern])
        {
            foreach (Match match in pattern().Matches(text))
            {
                found ??= new List<(string, string[])>(1);
                found.Add((match.Groups["phrase"].Value, [.. match.Groups["verb"].Captures.Select(c => c.Value.ToLowerInvariant())]));
            }
        }

        return found is null ? [] : found;
    }

    /// <summary>
    /// The things the task puts out of reach altogether, reads included ("Production card data is out of bounds", "the
    /// payroll tables are off limits", "do not read or query the audit log"), each with the phrase that says so.
    /// </summary>
    public static IReadOnlyList<(string Phrase, string Object)> FindOutOfBounds(string? text) => PhrasesWithObjects(OutOfBoundsPattern(), text);

    /// <summary>
    /// The kinds of change the task rules out by name ("No schema or data changes without a change ticket": data;
    /// "no production changes in this ticket": prod; "no code changes": code), with the phrase that says so.
    /// </summary>
    public static (string Phrase, string[] Kinds)? FindForbiddenKinds(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return null;
        }

        string? phrase = null;
        var kinds = new List<string>(2);
        foreach (var pattern in (ReadOnlyOf[])[ForbiddenKindsPattern, NothingInEnvironmentChangedPattern])
        {
            foreach (Match match in pattern().Matches(text))
            {
                phrase ??= match.Groups["phrase"].Value;
                kinds.AddRange(match.Groups["kind"].Captures.Select(c => KindOf(c.Value.ToLowerInvariant())));
            }
        }

        return phrase is null ? null : (phrase, [.. kinds.Distinct(StringComparer.Ordinal)]);
    }

    private static string KindOf(string word) => word switch
    {
        "production" or "prod" => "prod",
        "database" or "db" => "data",
        "configuration" or "infrastructure" => "config",
        _ when word.StartsWith("deploy", StringComparison.Ordinal) || word.StartsWith("redeploy", StringComparison.Ordinal)
            || word.StartsWith("release", StringComparison.Ordinal) || word.StartsWith("restart", StringComparison.Ordinal) => "config",
        _ => word,
    };

    /// <summary>
    /// The verbs of a "do not X or Y anything" phrase when none of them is a change in general (change, modify, alter,
    /// touch, edit, write, update): "Do not apply anything" rules out applying, and in a task that itself asks for a change
    /// ("bump the provider and open a pull request") it rules out only that. Null when the phrase says any change.
    /// </summary>
    public static string[]? SpecificVerbsOfAnything(string phrase)
    {
        if (!NegatedChangeOfAnything().IsMatch(phrase))
        {
            return null;
        }

        var verbs = ChangeVerbPattern().Matches(phrase).Select(m => m.Value.ToLowerInvariant()).ToArray();
        return verbs.Length == 0 || verbs.Any(v => GeneralChangeVerbPattern().IsMatch(v)) ? null : verbs;
    }

    /// <summary>
    /// The sentences or clauses of <paramref name="text"/> that restrict the work ("…, do not …", "never …", "nothing …",
    /// "hands off", "read-only", "until … signs off", "… decides"), whatever they restrict: the safety net for wordings
    /// the other readers of this class do not know.
    /// </summary>
    public static IEnumerable<string> RestrictingClauses(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            yield break;
        }

        foreach (var clause in ClauseSplitPattern().Split(text))
        {
            if (RestrictionMarkerPattern().IsMatch(clause))
            {
                yield return clause.Trim();
            }
        }
    }

    [GeneratedRegex(@"(?<=[.;:!?])\s+|\s+[\u2013\u2014-]\s+", RegexOptions.CultureInvariant)]
    private static partial Regex ClauseSplitPattern();

    [GeneratedRegex(@"\b(?:do not|don't|dont|must not|mustn't|may not|never|nothing|hands[- ]off|read[- ]only|off[- ]limits|out of bounds|not to be|not to production|change board|cab\b|change ticket|until\b[^.;:]{0,60}\b(?:sign|approv|agree|review|confirm)|decides|decide\b|'s call|’s call)", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex RestrictionMarkerPattern();

    /// <summary>
    /// The verb an action's name starts with, as a word: <c>sqs:PurgeQueue</c> → "Purge", <c>lambda:UpdateAlias</c> →
    /// "Update", <c>DELETE</c> → "DELETE"; a role name (<c>Website Contributor</c>) has none.
    /// </summary>
    public static string VerbOfAction(string action)
    {
        var name = action[(action.LastIndexOf(':') + 1)..];
        if (name.Contains(' ', StringComparison.Ordinal))
        {
            return string.Empty;
        }

        var end = 1;
        while (end < name.Length && !char.IsUpper(name[end]))
        {
            end++;
        }

        return name.All(c => !char.IsLower(c)) ? name : name[..end];
    }

    /// <summary>The first word of <paramref name="text"/> that is one of <paramref name="verbs"/> in any form ("pushes" for "push"), or null.</summary>
    public static string? UsesAnyVerb(string? text, string[] verbs)
    {
        if (string.IsNullOrEmpty(text) || verbs.Length == 0)
        {
            return null;
        }

        var stems = verbs.Select(v => Stemmer.Stem(v.Replace("-", string.Empty, StringComparison.Ordinal))).ToHashSet(StringComparer.Ordinal);
        foreach (Match word in WordPattern().Matches(text))
        {
            if (stems.Contains(Stemmer.Stem(word.Value.ToLowerInvariant().Replace("-", string.Empty, StringComparison.Ordinal))))
            {
                return word.Value;
            }
        }

        return null;
    }

    [GeneratedRegex(@"[A-Za-z]+(?:-[A-Za-z]+)*", RegexOptions.CultureInvariant)]
    private static partial Regex WordPattern();

    /// <summary>Every match of <paramref name="pattern"/> in <paramref name="text"/>: its phrase and its "object" group.</summary>
    private static IReadOnlyList<(string Phrase, string Object)> PhrasesWithObjects(Regex pattern, string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return [];
        }

        List<(string, string)>? found = null;
        foreach (Match match in pattern.Matches(text))
        {
            found ??= new List<(string, string)>(1);
            found.Add((match.Value.Trim(), match.Groups["object"].Value));
        }

        return found is null ? [] : found;
    }

    private delegate Regex ReadOnlyOf();

    // The verbs of a change, base form and -ing form; a reviewer can read them all. Verbs that only look ("read",
    // "check", "look") are never here.
    private const string ChangeVerb =
        @"(?:chang(?:e|ing)|modif(?:y|ying)|alter(?:ing)?|updat(?:e|ing)|edit(?:ing)?|writ(?:e|ing)|delet(?:e|ing)|remov(?:e|ing)|touch(?:ing)?|fix(?:ing)?|push(?:ing)?|run(?:ning)?|re-?run(?:ning)?|regenerat(?:e|ing)|re-?send(?:ing)?|send(?:ing)?|restart(?:ing)?|re-?deploy(?:ing)?|deploy(?:ing)?|apply(?:ing)?|commit(?:ting)?|merg(?:e|ing)|creat(?:e|ing)|drop(?:ping)?|patch(?:ing)?|correct(?:ing)?|overwrit(?:e|ing)|renam(?:e|ing)|mov(?:e|ing)|purg(?:e|ing)|retry(?:ing)?|re-?process(?:ing)?|execut(?:e|ing)|publish(?:ing)?|repair(?:ing)?|reset(?:ting)?|restor(?:e|ing)|roll(?:ing)? back|replay(?:ing)?|redriv(?:e|ing)|trigger(?:ing)?|approv(?:e|ing))";

    private const string Negation = @"(?:do not|don't|dont|must not|mustn't|may not|should not|shouldn't|shall not|never|without)";

    // "Read-only: …", "Read only.", "Read-only analysis of …", "this task is read-only": a statement about the work, not
    // a thing to create ("a read-only role", "read-only access for the analysts", "a role (read-only)") and not a
    // statement with exceptions ("Read-only, except for the notes table").
    [GeneratedRegex(@"(?:^|[.!?;:]\s+)(?:(?:strictly|entirely|purely|completely|only)\s+)?(?<phrase>read[- ]only(?=\s*[.!;:\u2013\u2014]|\s+[-\u2013\u2014]\s|\s*,(?!\s*(?:except|apart|but|other than|unless|save)\b)|\s*$|\s+(?:analysis|investigation|review|audit|report|task|ticket|work|session|look|check|query|queries|until|till)\b))|\b(?<phrase>(?:task|ticket|work|this) is read[- ]only)\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex ReadOnlyStatement();

    // "Do not regenerate, resend or delete anything", "Do not push or run anything", "without touching anything".
    [GeneratedRegex(@"\b(?<phrase>" + Negation + @"\s+(?:" + ChangeVerb + @"(?:\s*,\s*|\s*/\s*|\s+or\s+|\s+and\s+|,\s+or\s+))*" + ChangeVerb + @"\s+(?:anything|a thing|any of it))\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex NegatedChangeOfAnything();

    // "Investigation only:", "Review-only: read …", "Analysis only." — said of the work, at the start of a sentence or
    // clause, and ending there (not "documentation only", which writes documents, nor "aggregates only", which is data).
    [GeneratedRegex(@"(?:^|[.!?;:]\s*)(?<phrase>(?:investigation|investigate|analysis|analyse|analyze|review|diagnosis|diagnose|observation|observe|research|fact[- ]finding|discovery|look|lookup|audit|report|reporting|findings|assessment|recommendations?)[- ]only)(?=\s*(?:[.!;:)\u2013\u2014-]|$)|\s*,(?!\s*(?:except|apart|but|other than|unless|save)\b))", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex InvestigatingWorkOnly();

    // "the agent only comments", "you only read", "just find out why", "just look".
    [GeneratedRegex(@"\b(?<phrase>(?:the agent|agents|the assistant|you|we)\s+(?:should\s+|may\s+|must\s+|will\s+|can\s+|is to\s+|are to\s+)?only\s+(?:comments?|reads?|looks?|reports?|investigates?|reviews?|observes?|analy[sz]es?|diagnoses?|suggests?|recommends?|proposes?|advises?))\b|(?:^|[.!?;:,]\s*)(?<phrase>just\s+(?:find out|look|report|read|investigate|diagnose|observe|tell us|tell me|advise)\b)", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex OnlyInvestigates();

    // "No changes.", "make no changes at all", "changes are out of scope" (not "no production changes in this ticket",
    // which names one environment).
    [GeneratedRegex(@"\b(?<phrase>nothing\s+(?:gets|is|may be|can be|will be|should be|must be|to be)\s+(?:changed|touched|modified|altered|edited|deployed|redeployed|restarted|deleted|updated|fixed|applied|retrained|rerun|re-run)(?:\s*(?:,|or|and)\s*(?:changed|touched|modified|altered|edited|deployed|redeployed|restarted|deleted|updated|fixed|applied|retrained|rerun|re-run))*)\b|\b(?<phrase>(?:no|zero) (?:changes?|edits?|writes?|modifications?|fixes)(?: (?:at all|of any kind|whatsoever))?)(?=\s*(?:[.!;:)]|$))|\b(?<phrase>(?:changes?|fixes|edits?) (?:are|is) (?:out of scope|not (?:part of|in scope for) (?:this|the) (?:task|ticket)))", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex NoChangesStatement();

    // "look but don't touch", "look, do not touch".
    [GeneratedRegex(@"\b(?<phrase>look(?:,|\s+but|\s+and)?\s+(?:do not|don't|dont|never)\s+touch)\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex LookDoNotTouch();

    // "Aoife makes any changes herself", "the team will apply the fix themselves", "leave the fix to the DBA".
    // "Hands off until the cause is known", "any change is the duty manager's call", "all changes go through the change
    // board" (not "any fix goes through a pull request", which says how a change is made, not who decides it).
    [GeneratedRegex(@"\b(?<phrase>(?:makes?|will make|does|will do|applies|will apply|handles?|will handle)\s+(?:any|all|the)\s+(?:changes?|fix(?:es)?|edits?)\s+(?:him|her|them)sel(?:f|ves))\b|\b(?<phrase>leave (?:the|any|all) (?:changes?|fix(?:es)?|edits?) to)\b|(?:^|[.!?;:,]\s*)(?<phrase>hands[- ]off)\b|\b(?<phrase>(?:any|all|every)\s+(?:changes?|fix(?:es)?|restarts?|edits?)\s+(?:is|are)\s+(?:the\s+|a\s+)?[\w -]{1,40}?(?:'s|s'|’s)\s+(?:call|decision))|\b(?<phrase>(?:a|an|any|all|every|the)\s+(?:[\w-]+\s+)?(?:changes?|fix(?:es)?|restarts?|edits?)\s+(?:goes|go|must go|has to go|have to go|needs? to go)\s+(?:through|to|via)\s+(?:the\s+|a\s+)?(?:[\w-]+\s+)?(?:change (?:board|advisory board|management|control|ticket|request)|cab))\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex SomeoneElseChanges();

    // "the planning product owner reviews and merges it", "the DBAs will apply it": a change verb someone else does.
    [GeneratedRegex(@"\b(?<phrase>(?:the|a|our)\s+(?:[\w-]+\s+){0,4}?(?:owners?|leads?|managers?|team|reviewers?|maintainers?|dbas?|admins?|administrators?|engineers?|board|desk|officers?|authors?|developers?)\s+(?:(?:will|must|should|then)\s+)?(?:(?:reviews?|approves?|checks?|tests?)\s+and\s+)?(?<verb>merge|deploy|release|publish|apply|restart|rerun|run|push|commit)(?:e?s)?)\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex SomeoneElseDoesPattern();

    // "Production card data is out of bounds", "the payroll tables are off limits", "do not read or query the audit log".
    [GeneratedRegex(@"(?<object>\b[\w-]+(?:\s+[\w-]+){0,2})\s+(?:is|are|stays?|remains?)\s+(?:strictly\s+)?(?:out of bounds|off[- ]limits|not to be (?:read|accessed|opened|queried))\b|\b(?:do not|don't|dont|must not|never)\s+(?:(?:read|access|open|query|look at|download|export)(?:\s*,\s*|\s+or\s+|,\s+or\s+))*(?:read|access|open|query|look at|download|export)\s+(?:the\s+|any\s+)?(?<object>[\w-]+(?:\s+(?!in\b|on\b|for\b|until\b|before\b|as\b|and\b|or\b|but\b|by\b)[\w-]+){0,2})", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex OutOfBoundsPattern();

    // "No schema or data changes", "no production changes", "no code or config changes"; not "no production changes
    // outside this bucket", which only bounds the work.
    [GeneratedRegex(@"\b(?<phrase>no\s+(?<kind>deploys?|deployments?|redeploys?|releases?|restarts?))\b|\b(?<phrase>no\s+(?:(?<kind>schema|data|database|db|code|config|configuration|infrastructure|production|prod)(?:\s*,\s*|\s*/\s*|\s+or\s+|\s+and\s+|,\s+or\s+))*(?<kind>schema|data|database|db|code|config|configuration|infrastructure|production|prod)\s+(?:changes?|edits?|writes?|modifications?|updates?))\b(?!\s+(?:outside|except|other than|beyond|apart from|besides|but)\b)", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex ForbiddenKindsPattern();

    // "nothing in production is changed until …": no change of that environment.
    [GeneratedRegex(@"\b(?<phrase>nothing\s+in\s+(?<kind>production|prod)\s+(?:gets|is|may be|can be|will be|should be|must be)\s+(?:changed|touched|modified|altered|deployed|redeployed|restarted|updated|applied))\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex NothingInEnvironmentChangedPattern();

    [GeneratedRegex(@"\b" + ChangeVerb + @"\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex ChangeVerbPattern();

    [GeneratedRegex(@"^(?:chang|modif|alter|touch|edit|writ|updat)", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex GeneralChangeVerbPattern();

    // "Do not push or merge.", "Never redeploy;": negated change verbs and then the end of the clause.
    [GeneratedRegex(@"\b(?<phrase>" + Negation + @"\s+(?:(?<verb>" + ChangeVerb + @")(?:\s*,\s*|\s*/\s*|\s+or\s+|\s+and\s+|,\s+or\s+))*(?<verb>" + ChangeVerb + @"))(?=\s*(?:[.!;:)]|$))", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex ForbiddenVerbsPattern();

    // "the crane configuration is not to be touched" (a change: reads stay allowed), "do not change the baselines", "must
    // not modify the tariffs", "do not touch accounts or consents" (every object of
    // the list), and "no changes to SIS data".
    [GeneratedRegex(@"(?<object>\b[\w-]+(?:\s+[\w-]+){0,2})\s+(?:is|are|stays?|remains?)\s+not to be (?:touched|changed|modified|altered|edited)\b|\b(?:no|zero)\s+(?:changes?|edits?|writes?|modifications?|updates?)\s+(?:to|of)\s+(?:the\s+|any\s+|our\s+)?(?<object>(?!anything\b|nothing\b)[\w-]+(?:\s+(?!in\b|on\b|for\b|until\b|before\b|as\b|and\b|or\b|but\b|by\b)[\w-]+){0,2}(?:(?:\s+or\s+|\s+and\s+|,\s+or\s+|,\s+and\s+|\s+nor\s+)(?:the\s+|any\s+)?(?!anything\b|nothing\b)[\w-]+)*)|\b" + Negation + @"\s+(?:" + ChangeVerb + @"(?:\s*,\s*|\s+or\s+|,\s+or\s+))*" + ChangeVerb + @"\s+(?:the\s+|any\s+|our\s+)?(?<object>(?!anything\b|nothing\b|a thing\b|or\b|and\b)[\w-]+(?:\s+(?!in\b|on\b|for\b|until\b|before\b|yourself\b|as\b|and\b|or\b|but\b|by\b)[\w-]+){0,2}(?:(?:\s+or\s+|\s+and\s+|,\s+or\s+|,\s+and\s+|\s+nor\s+)(?:the\s+|any\s+)?(?!anything\b|nothing\b)[\w-]+)*)", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex DoNotChangePattern();
}
