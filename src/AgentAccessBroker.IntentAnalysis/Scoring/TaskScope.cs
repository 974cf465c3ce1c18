using AgentAccessBroker.Actions;
using System.Runtime.CompilerServices;
using AgentAccessBroker.Domain;
using AgentAccessBroker.IntentAnalysis.Classification;
using AgentAccessBroker.IntentAnalysis.Text;
using AgentAccessBroker.Policy;

namespace AgentAccessBroker.IntentAnalysis.Scoring;

/// <summary>Whether a requested resource lies inside the task's scope, and when a wider rule placed it there, why.</summary>
internal static partial class TaskScope
{
    private static readonly ConditionalWeakTable<TargetPolicy, Dictionary<string, int>> KindCounts = new();

    /// <summary>
    /// Null when the task does not cover the resource; an empty string when it names it (a hint, a specific word of its
    /// name, or description words); otherwise the sentence that explains which wider rule covers it.
    /// </summary>
    public static string? Covers(ResourceFacts r, RequestFacts facts)
    {
        var task = facts.Task;
        if (task.HintMatches(r, facts.TargetWide) || r.SharesDistinctive(task.Terms, facts.TargetWide))
        {
            return string.Empty;
        }

        // Reading application logs and metrics is part of any investigation, whatever the task calls the thing that
        // broke; audit logs and other highly sensitive logs are not.
        if ((task.Terms.Intents & VerbIntent.Investigate) != 0 && facts.TopClass == ActionClass.Read && r.IsKind("logs") && r.Sensitivity <= Sensitivity.Medium)
        {
            return string.Empty;
        }

        var environmentNamed = r.Environment is { } env && (env == task.Environment || task.Terms.All.Contains(env));
        if (environmentNamed && r.SharesKind(task.Terms))
        {
            // "the dev buckets": for low-sensitivity resources, or medium ones whose name is only kind words
            // (prod-logs, kv-dev), naming their kind and environment is scope enough.
            if (r.Sensitivity == Sensitivity.Low || (r.Sensitivity == Sensitivity.Medium && !HasOwnWord(r, facts)))
            {
                return string.Empty;
            }

            // "the staging vault": the task's words name the environment and a kind, and exactly one catalogue entry,
            // this one, is of that kind in that environment.
            if (task.Terms.All.Contains(r.Environment!) && UniqueKind(r, facts) is { } kind)
            {
                return $"{r.Display} counts as in the task's scope: it is the only {kind} in {r.Environment} in the catalogue, and the task names both";
            }
        }

        // "tidy up dev": a task whose words name an environment and nothing else (no specific word, no kind of thing) is
        // about that environment as a whole; outside production its low and medium resources are what it covers. Too
        // vague to cover secrets or tagged data: a resource whose entry carries a data tag, or a read of secret values.
        if (r.Environment is { } whole && whole != "prod" && task.Terms.All.Contains(whole) && r.Sensitivity <= Sensitivity.Medium
            && r.Catalogue is { Tags.Count: 0 } && !facts.Traits.HasFlag(ActionTraits.SecretRead) && NamesOnlyAnEnvironment(task.Terms))
        {
            return $"{r.Display} counts as in the task's scope: the task names only the {whole} environment, and this {Words.Of(r.Sensitivity)} resource is in it";
        }

        // Test credentials: a secret of the task's own dev environment whose name says it is for a sandbox or test
        // system (dev/card-gateway-sandbox) unlocks nothing real, and dev work that calls that system needs it.
        if (r.Environment == "dev" && task.Environment == "dev" && r.Sensitivity <= Sensitivity.Medium && facts.TopClass == ActionClass.Read
            && r.Catalogue is { } entry && entry.Tags.All(t => t.Equals("secrets", StringComparison.OrdinalIgnoreCase)) && NamedForTesting(r.Display))
        {
            return $"{r.Display} counts as in the task's scope: its name says it is a sandbox or test credential, read by dev work in the task's own dev environment";
        }

        // Scratch space: a low-sensitivity resource outside production whose name says it is temporary is working space
        // of any task that changes things in that environment.
        if (r.Sensitivity == Sensitivity.Low && r.Environment is { } scratch && scratch != "prod" && (scratch == task.Environment || task.Terms.All.Contains(scratch))
            && !task.ReadOnly && (task.Terms.Intents & (VerbIntent.Write | VerbIntent.Delete)) != 0 && NamedTemporary(r.Display))
        {
            return $"{r.Display} counts as in the task's scope: its name says it is temporary, and the task changes things in {scratch}";
        }

        // "inventory the dev resources": a look at the settings (not the data) of a whole subscription or resource group
        // of the task's own environment, outside production, covers what the task says about that environment.
        if (facts.TopClass == ActionClass.Read && !facts.ChangesOrReadsData && r.Sensitivity <= Sensitivity.Medium && r.Environment is { } own && own != "prod"
            && own == task.Environment && RequestFactors.IsContainerScope(r))
        {
            return $"{r.Display} counts as in the task's scope: a read of settings across the task's own {own} environment";
        }

        return UsedByOperation(r, facts);
    }

    private static bool NamedForTesting(string name) => TestingNamePattern().IsMatch(name);

    [System.Text.RegularExpressions.GeneratedRegex(@"(?:^|[^a-z])(?:sandbox|test|fake|dummy|mock|stub)(?:$|[^a-z])", System.Text.RegularExpressions.RegexOptions.IgnoreCase | System.Text.RegularExpressions.RegexOptions.CultureInvariant)]
    private static partial System.Text.RegularExpressions.Regex TestingNamePattern();

    /// <summary>A resource the request's operation cannot run without: a query's results location, a function's own log group.</summary>
    private static string? UsedByOperation(ResourceFacts r, RequestFacts facts)
    {
        if (facts.Traits.HasFlag(ActionTraits.QueryExecution) && IsResultsLocation(r))
        {
            return $"{r.Display} counts as in the task's scope: it is where the query this request runs writes its results";
        }

        // The query engine itself (its workgroup, its data catalogue) is used by any query the task asks for.
        if (facts.Traits.HasFlag(ActionTraits.QueryExecution) && facts.Vocabulary.IsQueryEngine(r.Name))
        {
            return $"{r.Display} counts as in the task's scope: the query this request runs needs it";
        }

        // The log group, alarm or queue named after a resource the task covers (/aws/lambda/prod-thumbnailer for the
        // thumbnailer function) belongs to it.
        foreach (var other in facts.Resources)
        {
            if (other.Key != r.Key && other.Catalogue is not null && SameName(other.Display, r.Display) && CoveredPlainly(other, facts))
            {
                return $"{r.Display} counts as in the task's scope: it belongs to {other.Display}, which the task covers";
            }
        }

        var target = facts.Target;
        if (target is not null && r.Catalogue is not null)
        {
            foreach (var entry in target.Resources)
            {
                if (ReferenceEquals(entry, r.Catalogue) || entry.Pattern.Contains('*', StringComparison.Ordinal) || !SameName(RequestFacts.DisplayName(entry.Pattern), r.Display))
                {
                    continue;
                }

                var namesake = RequestFacts.Describe(facts, target, entry.Pattern, entry);
                if (CoveredPlainly(namesake, facts))
                {
                    return $"{r.Display} counts as in the task's scope: it belongs to {namesake.Display}, which the task covers";
                }
            }
        }

        return null;
    }

    /// <summary>
    /// The request runs a query, names the query's results location, and writes nothing but objects (the results): its
    /// writes are the query's output, not a change the task has to ask for.
    /// </summary>
    public static bool WritesOnlyQueryResults(RequestFacts facts)
    {
        if (!facts.Traits.HasFlag(ActionTraits.QueryExecution) || facts.TopClass != ActionClass.Write)
        {
            return false;
        }

        foreach (var a in facts.Actions)
        {
            if (a.Class == ActionClass.Write && !a.Has(ActionTraits.ObjectWriteOnly))
            {
                return false;
            }
        }

        foreach (var r in facts.Resources)
        {
            if (IsResultsLocation(r))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// The request's only writes are a query's results, and every resource those writes can act on (as the target's
    /// vocabulary tells) is a results location of low or medium sensitivity: the credential cannot change anything else,
    /// so the request counts as the read it is.
    /// </summary>
    public static bool WritesConfinedToQueryResults(RequestFacts facts)
    {
        if (!WritesOnlyQueryResults(facts))
        {
            return false;
        }

        foreach (var a in facts.Actions)
        {
            if (a.Class != ActionClass.Write)
            {
                continue;
            }

            foreach (var r in facts.Resources)
            {
                if (facts.Vocabulary.ActsOn(a.Action, r.Name) && (!IsResultsLocation(r) || r.Sensitivity > Sensitivity.Medium))
                {
                    return false;
                }
            }
        }

        return true;
    }

    /// <summary>
    /// Every write of the request is an object write, and every resource it can act on (as the target's vocabulary
    /// tells) is a query service's results location of low or medium sensitivity, whether or not the query itself is in
    /// the same request: the credential can change nothing but the output of a read.
    /// </summary>
    public static bool WritesOnlyToResultsLocations(RequestFacts facts)
    {
        if (facts.TopClass != ActionClass.Write)
        {
            return false;
        }

        foreach (var a in facts.Actions)
        {
            if (a.Class != ActionClass.Write)
            {
                continue;
            }

            if (!a.Has(ActionTraits.ObjectWriteOnly))
            {
                return false;
            }

            foreach (var r in facts.Resources)
            {
                if (facts.Vocabulary.ActsOn(a.Action, r.Name) && (!IsResultsLocation(r) || r.Sensitivity > Sensitivity.Medium))
                {
                    return false;
                }
            }
        }

        return true;
    }

    /// <summary>A bucket named or described as a query service's results or output location.</summary>
    public static bool IsResultsLocation(ResourceFacts r) =>
        r.IsKind("storage") && (Mentions(r, "result") || Mentions(r, "output") || Mentions(r, "athena") || Mentions(r, "query"));

    /// <summary>Every word of the task is a verb, an environment or a vague word: it names no thing and no kind of thing.</summary>
    private static bool NamesOnlyAnEnvironment(TextTerms task)
    {
        if (task.Distinctive.Count > 0)
        {
            return false;
        }

        foreach (var word in task.All)
        {
            if (Lexicon.KindOf(word) is not (TermKind.Verb or TermKind.Environment))
            {
                return false;
            }
        }

        return true;
    }

    private static readonly string[] TemporaryWords = ["tmp", "temp", "temporary", "scratch"];

    /// <summary>A word of the name (split at anything that is not a letter or digit) says temporary: tmp, temp, scratch.</summary>
    private static bool NamedTemporary(string name)
    {
        foreach (var word in name.Split(['-', '_', '.', '/', ':'], StringSplitOptions.RemoveEmptyEntries))
        {
            if (TemporaryWords.Contains(word, StringComparer.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    private static bool CoveredPlainly(ResourceFacts r, RequestFacts facts) =>
        facts.Task.HintMatches(r, facts.TargetWide) || r.SharesDistinctive(facts.Task.Terms, facts.TargetWide);

    private static bool SameName(string a, string b) => a.Length >= 4 && string.Equals(a.TrimEnd('*', '/'), b.TrimEnd('*', '/'), StringComparison.OrdinalIgnoreCase);

    private static bool Mentions(ResourceFacts r, string word) => r.NameTerms.All.Contains(word) || r.CatalogueTerms.All.Contains(word);

    private static bool HasOwnWord(ResourceFacts r, RequestFacts facts)
    {
        foreach (var word in r.NameTerms.Distinctive)
        {
            if (!facts.TargetWide.Contains(word))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The kind word the task and the resource share, when exactly one catalogue entry of the target has that kind in that environment.</summary>
    private static string? UniqueKind(ResourceFacts r, RequestFacts facts)
    {
        if (facts.Target is not { } target)
        {
            return null;
        }

        var counts = KindCounts.GetValue(target, CountKinds);
        foreach (var word in facts.Task.Terms.All)
        {
            if (word != r.Environment && Lexicon.KindOf(word) == TermKind.GenericNoun && r.IsKind(word)
                && counts.TryGetValue(r.Environment + "|" + word, out var n) && n == 1)
            {
                return word;
            }
        }

        return null;
    }

    private static Dictionary<string, int> CountKinds(TargetPolicy target)
    {
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var entry in target.Resources)
        {
            var env = EnvironmentName.Normalise(entry.Environment);
            var kinds = new HashSet<string>(StringComparer.Ordinal);
            foreach (var word in TextTerms.Of([entry.Pattern, entry.Description]).All)
            {
                if (Lexicon.KindOf(word) == TermKind.GenericNoun)
                {
                    kinds.Add(word);
                }
            }

            foreach (var kind in kinds)
            {
                var key = env + "|" + kind;
                counts[key] = counts.GetValueOrDefault(key) + 1;
            }
        }

        return counts;
    }
}
