using AgentAccessBroker.Actions;
using System.Runtime.CompilerServices;
using AgentAccessBroker.Decisions;
using AgentAccessBroker.Domain;
using AgentAccessBroker.IntentAnalysis.Classification;
using AgentAccessBroker.IntentAnalysis.Text;
using AgentAccessBroker.Policy;

namespace AgentAccessBroker.IntentAnalysis.Scoring;

/// <summary>One requested resource with everything the factors need to know about it.</summary>
/// <param name="Sensitivity">The highest sensitivity of the catalogue entry it matched and of every entry a wildcard covers.</param>
/// <param name="Tags">The data tags of the same entries.</param>
/// <param name="Covered">Other catalogue entries the request also reaches that are more sensitive or carry other data
/// tags: a wildcard's matches (<c>billing.public.*</c> covers <c>billing.public.customers</c>), or the resources below an
/// Azure scope (a role on a resource group applies to everything in it). Their sensitivity and tags count.</param>
internal readonly record struct ResourceFacts(
    string Name,
    string Key,
    string Display,
    ResourcePolicy? Catalogue,
    Sensitivity Sensitivity,
    IReadOnlyList<string> Tags,
    IReadOnlyList<ResourcePolicy> Covered,
    string? Environment,
    TextTerms NameTerms,
    TextTerms CatalogueTerms,
    bool Wildcard)
{
    public bool HasTag(string tag) => Tags.Contains(tag, StringComparer.OrdinalIgnoreCase);

    /// <summary>The last part of the name (<c>students</c> of <c>sis.public.students</c>), or the whole name when it has one part.</summary>
    public string LeafName => Name[(Name.TrimEnd('/', '*').LastIndexOfAny(['.', '/', ':']) + 1)..].TrimEnd('/', '*');

    public bool IsKind(string genericNoun) => NameTerms.All.Contains(genericNoun) || CatalogueTerms.All.Contains(genericNoun);

    /// <summary>
    /// The resource shares a specific word with the task: one from its name, or from its catalogue description either
    /// two words or one word and the kind of thing the task talks about (a key vault for a certificate task). One
    /// description word alone ("customer") appears in too many descriptions to place a resource in a task. Words common
    /// to most of the target's catalogue (<paramref name="targetWide"/>: "billing" in the billing database) name the
    /// system, not a resource, and place nothing.
    /// </summary>
    public bool SharesDistinctive(TextTerms task, HashSet<string> targetWide)
    {
        foreach (var word in NameTerms.Distinctive)
        {
            if (task.Distinctive.Contains(word) && (!targetWide.Contains(word) || IsOwnName(word) || LeafHas(word)))
            {
                return true;
            }
        }

        var shared = 0;
        foreach (var word in CatalogueTerms.Distinctive)
        {
            if (task.Distinctive.Contains(word) && !targetWide.Contains(word) && !NameTerms.Distinctive.Contains(word))
            {
                shared++;
            }
        }

        return shared >= 2 || (shared == 1 && SharesKind(task));
    }

    /// <summary>
    /// The word is the resource's own name, the last part of a longer name made of that one word (the table <c>bills</c>
    /// of <c>billing.public.bills</c>): it names this resource even when it folds into a word common to the whole target
    /// ("billing" and "bills" share a stem), which names the system, not the table.
    /// </summary>
    public bool IsOwnName(string word)
    {
        var cut = Name.LastIndexOfAny(['.', '/', ':']);
        if (cut <= 0 || cut == Name.Length - 1)
        {
            return false;
        }

        var leaf = Name[(cut + 1)..];
        var first = Name.IndexOfAny(['.', '/', ':']);
        if (string.Equals(leaf, Name[..first], StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        // Only a leaf that is this one word: in "rg-kvw-prod-fieldops" the system's word is one part of a longer name.
        var words = TextTerms.Of(leaf).Distinctive;
        return words.Count == 1 && words.Contains(word);
    }

    /// <summary>
    /// The word is one of the words of the last part of a longer name (<c>payout</c> of
    /// <c>payouts.reporting.daily_payout_volume</c>): the table is named after it, whatever else it shares with the system.
    /// </summary>
    public bool LeafHas(string word)
    {
        var cut = Name.TrimEnd('/', '*').LastIndexOfAny(['.', '/', ':']);
        return cut > 0 && TextTerms.Of(LeafName).Distinctive.Contains(word);
    }

    /// <summary>The task names the kind of thing this is (a cloud noun of its name or description: vault, queue, table).</summary>
    public bool SharesKind(TextTerms task) => SharesGeneric(NameTerms, task) || SharesGeneric(CatalogueTerms, task);

    private bool SharesGeneric(TextTerms resource, TextTerms task)
    {
        foreach (var word in resource.All)
        {
            if (task.All.Contains(word) && !resource.Distinctive.Contains(word) && word != Environment && Lexicon.KindOf(word) == TermKind.GenericNoun)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Neither name nor description says what it is (a key id, a subscription GUID).</summary>
    public bool Opaque => NameTerms.Distinctive.Count == 0 && CatalogueTerms.Distinctive.Count == 0;
}

/// <summary>
/// The task's words and hints, computed once per task and policy. Hints that are target names say which system, not
/// which resource, so they add no words.
/// </summary>
internal sealed class TaskTerms
{
    private static readonly ConditionalWeakTable<BrokerTask, TaskTerms> Cache = new();

    private TaskTerms(BrokerPolicy policy, TextTerms terms, TextTerms[] hintTerms, string[] hints, string? environment)
    {
        Policy = policy;
        Terms = terms;
        HintTerms = hintTerms;
        Hints = hints;
        Environment = environment;
    }

    public TextTerms Terms { get; }

    /// <summary>The words of each resource hint: the human named these, so even a generic word in them counts.</summary>
    public TextTerms[] HintTerms { get; }

    /// <summary>The hints that are not target names.</summary>
    public string[] Hints { get; }

    public string? Environment { get; }

    private BrokerPolicy Policy { get; }

    /// <summary>
    /// An investigation or a question: nothing in the task's words asks for a change, or the task forbids changes in
    /// so many words ("do not change anything", "report only").
    /// </summary>
    public bool ReadOnly => ForbidsChanges
                            || ((Terms.Intents & (VerbIntent.Read | VerbIntent.Investigate)) != 0
                                && (Terms.Intents & (VerbIntent.Write | VerbIntent.Delete | VerbIntent.Permission)) == 0);

    /// <summary>The task's description says in so many words that nothing may be changed.</summary>
    public bool ForbidsChanges => NoChange is not null;

    /// <summary>The task's words that say nothing may be changed ("Read-only", "do not change anything"), or null.</summary>
    public string? NoChange { get; private init; }

    /// <summary>The things the task forbids changing by name ("do not change the baselines"), with the phrase that says so.</summary>
    public (string Phrase, TextTerms Terms)[] ProtectedObjects { get; private init; } = [];

    /// <summary>
    /// A clause of the task that restricts the work but that none of the readers above understood ("Submitted sequences
    /// are never altered"), or null.
    /// </summary>
    public string? UnreadRestriction { get; private init; }

    /// <summary>The things the task puts out of reach altogether, reads included ("card data is out of bounds"), with the phrase that says so.</summary>
    public (string Phrase, TextTerms Terms)[] OutOfBounds { get; private init; } = [];

    /// <summary>The kinds of change the task rules out by name ("No schema or data changes": data), with the phrase that says so.</summary>
    public (string Phrase, string[] Kinds)? ForbiddenKinds { get; private init; }

    /// <summary>The change verbs the task forbids outright ("Do not push or merge."), with the phrase that says so.</summary>
    public (string Phrase, string[] Verbs)[] ForbiddenVerbs { get; private init; } = [];

    /// <summary>The task's words that say nothing may be lost ("no label job may be lost"), or null.</summary>
    public string? ForbidsLoss { get; private init; }

    public static TaskTerms Of(BrokerTask task, BrokerPolicy policy)
    {
        if (Cache.TryGetValue(task, out var cached) && ReferenceEquals(cached.Policy, policy))
        {
            return cached;
        }

        var terms = Build(task, policy);
        Cache.AddOrUpdate(task, terms);
        return terms;
    }

    private static TaskTerms Build(BrokerTask task, BrokerPolicy policy)
    {
        var hints = task.ScopeHints.Where(h => policy.FindTarget(h) is null).ToArray();
        var texts = new string?[hints.Length + 1];
        texts[0] = task.Description;
        var hintTerms = new TextTerms[hints.Length];
        for (var i = 0; i < hints.Length; i++)
        {
            texts[i + 1] = hints[i];
            hintTerms[i] = TextTerms.Of(hints[i]);
        }

        var terms = TextTerms.Of(texts);
        var noChange = ChangeWords.FindNoChange(task.Description);
        var forbiddenVerbs = ChangeWords.FindForbiddenVerbs(task.Description).ToList();

        // "Bump the provider and open a pull request. Do not apply anything.": a task that asks for a change itself (and
        // is no investigation) rules out only the named kind of change, not every change.
        if (noChange is not null && (terms.Intents & VerbIntent.Write) != 0 && (terms.Intents & VerbIntent.Investigate) == 0
            && ChangeWords.SpecificVerbsOfAnything(noChange) is { } specific
            && ChangeWords.FindNoChange(task.Description!.Replace(noChange, string.Empty, StringComparison.Ordinal)) is null)
        {
            forbiddenVerbs.Add((noChange, specific));
            noChange = null;
        }

        var protectedObjects = ChangeWords.FindProtectedObjects(task.Description);
        var forbiddenKinds = ChangeWords.FindForbiddenKinds(task.Description);
        var outOfBounds = ChangeWords.FindOutOfBounds(task.Description);
        var forbidsLoss = LossWords.Find(task.Description);
        string?[] read =
        [
            noChange, forbiddenKinds?.Phrase, forbidsLoss, .. protectedObjects.Select(o => o.Phrase), .. forbiddenVerbs.Select(v => v.Phrase),
            .. outOfBounds.Select(o => o.Phrase),
        ];
        var unread = ChangeWords.RestrictingClauses(task.Description)
            .FirstOrDefault(clause => !read.Any(phrase => phrase is not null && (clause.Contains(phrase, StringComparison.Ordinal) || phrase.Contains(clause, StringComparison.Ordinal))));

        return new TaskTerms(policy, terms, hintTerms, hints, EnvironmentName.Normalise(task.Environment))
        {
            NoChange = noChange,
            ProtectedObjects = [.. protectedObjects.Select(o => (o.Phrase, TextTerms.Of(o.Object)))],
            ForbiddenVerbs = [.. forbiddenVerbs],
            ForbiddenKinds = forbiddenKinds,
            OutOfBounds = [.. outOfBounds.Select(o => (o.Phrase, TextTerms.Of(o.Object)))],
            ForbidsLoss = forbidsLoss,
            UnreadRestriction = unread,
        };
    }

    /// <summary>A name without its trailing serial number (<c>stbwprodchat</c> of <c>stbwprodchat01</c>, <c>vm-web</c> of <c>vm-web-2</c>), or null when it has none.</summary>
    private static string? WithoutSerial(string display)
    {
        var stem = display.TrimEnd("0123456789".ToCharArray());
        if (stem.Length == display.Length)
        {
            return null;
        }

        stem = stem.TrimEnd('-', '_');
        return stem.Length >= 4 ? stem : null;
    }

    /// <summary>
    /// A hint names this resource: its full name, a glob over it, its short name (<c>kv-dev-app</c>), or a noun of its
    /// name, even a generic one ("cloudtrail"). Verbs in hints place nothing.
    /// </summary>
    /// <param name="targetWide">Words found in most of the target's catalogue: a hint "ledger.reporting" names the
    /// reporting schema, and its "ledger" (the database every entry is in) places no other table.</param>
    public bool HintMatches(ResourceFacts resource, HashSet<string> targetWide)
    {
        for (var i = 0; i < Hints.Length; i++)
        {
            var hint = Hints[i];
            if (hint.Contains('*', StringComparison.Ordinal)
                    ? GlobOf(hint).Matches(resource.Name)
                    : string.Equals(hint, resource.Name, StringComparison.Ordinal) || string.Equals(hint, resource.Display, StringComparison.OrdinalIgnoreCase)
                      || string.Equals(hint, WithoutSerial(resource.Display), StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }

            foreach (var word in resource.NameTerms.All)
            {
                if (word != resource.Environment && (!targetWide.Contains(word) || resource.IsOwnName(word)) && HintTerms[i].All.Contains(word) && Lexicon.KindOf(word) is TermKind.Distinctive or TermKind.GenericNoun)
                {
                    return true;
                }
            }
        }

        return false;
    }

    private static ResourcePolicy GlobOf(string pattern) => new(pattern, Sensitivity.Low, string.Empty, [], null);
}

/// <summary>Everything derived from the request before any factor is scored, computed once per assessment.</summary>
internal sealed class RequestFacts
{
    private static readonly ConditionalWeakTable<ResourcePolicy, TextTerms> CatalogueTerms = new();
    private static readonly ConditionalWeakTable<TargetPolicy, HashSet<string>> TargetWideTerms = new();

    private RequestFacts(ClassifiedAction[] actions, ResourceFacts[] resources, TextTerms purpose, TaskTerms task, BrokerPolicy policy)
    {
        Policy = policy;
        Actions = actions;
        Resources = resources;
        Purpose = purpose;
        Task = task;
        foreach (var a in actions)
        {
            Traits |= a.Traits;
            if (a.Class > TopClass)
            {
                TopClass = a.Class;
            }

            ChangesOrReadsData |= a.Has(ActionTraits.DataAccess) || a.Class == ActionClass.Wildcard;
        }

        foreach (var r in resources)
        {
            if (r.Catalogue is null)
            {
                AnyUnknown = true;
            }

            if (r.Sensitivity > MaxSensitivity)
            {
                MaxSensitivity = r.Sensitivity;
            }

            AnyWildcardResource |= r.Wildcard;
        }

        // A comment on an issue or a pull request touches neither the code nor the data of the repository it is filed in:
        // a request that writes only such records, and reads only source and records, is assessed as a low one.
        var records = false;
        var beyondRecords = AnyUnknown;
        foreach (var a in actions)
        {
            records |= a.Class == ActionClass.Write && a.Has(ActionTraits.WorkRecordsOnly);
            beyondRecords |= a.Class > ActionClass.Write || !(a.Has(ActionTraits.WorkRecordsOnly) || (a.Class == ActionClass.Read && a.Has(ActionTraits.SourceCode)));
        }

        if (records && !beyondRecords && MaxSensitivity > Sensitivity.Low)
        {
            WorkRecordsOnlyOf = MaxSensitivity;
            MaxSensitivity = Sensitivity.Low;
        }

        Width = resources.Length * Math.Max(1, actions.Length);
        GrantKeys = new string[resources.Length];
        for (var i = 0; i < resources.Length; i++)
        {
            GrantKeys[i] = HistoryFold.GrantKey(resources[i].Key[..resources[i].Key.IndexOf('|')], resources[i].Name, TopClass);
        }
    }

    /// <summary>
    /// Every action that can act on <paramref name="resource"/> (the connector's vocabulary says which: <c>ActsOn</c>)
    /// only reads its settings: a read with no data access and no secret value. Actions of another service in the same
    /// request are judged on their own resources. With a vocabulary that cannot tell, every action counts.
    /// </summary>
    public bool ReadsOnlySettingsOf(ResourceFacts resource)
    {
        var any = false;
        foreach (var a in Actions)
        {
            if (!Vocabulary.ActsOn(a.Action, resource.Name))
            {
                continue;
            }

            if (a.Class != ActionClass.Read || a.Has(ActionTraits.DataAccess) || a.Has(ActionTraits.SecretRead))
            {
                return false;
            }

            any = true;
        }

        return any;
    }

    /// <summary>The keys <see cref="HistoryFold"/> counts this request's grants and denials under, one per resource.</summary>
    public string[] GrantKeys { get; }

    public BrokerPolicy Policy { get; }

    /// <summary>The vocabulary of the target's connector.</summary>
    public IActionVocabulary Vocabulary { get; private init; } = ActionVocabularies.Empty;

    /// <summary>The target the request is for.</summary>
    public TargetPolicy? Target { get; private init; }

    /// <summary>The facts of a catalogue entry (exact name, no wildcard) as if it had been requested, for scope checks.</summary>
    public static ResourceFacts Describe(RequestFacts facts, TargetPolicy target, string name, ResourcePolicy entry) =>
        new(name, target.Name + "|" + name, DisplayName(name), entry, entry.Sensitivity, entry.Tags, [], EnvironmentName.Normalise(entry.Environment),
            TextTerms.Of(name), CatalogueTerms.GetValue(entry, static c => TextTerms.Of(c.Description)), false);

    /// <summary>Specific words found in most of the target's catalogue entries: they name the system, not a resource.</summary>
    public HashSet<string> TargetWide { get; private init; } = [];

    public ClassifiedAction[] Actions { get; }

    public ResourceFacts[] Resources { get; }

    public TextTerms Purpose { get; }

    /// <summary>What the purpose tries to tell the broker, if anything (instructions, evasion).</summary>
    public InjectionFindings Injection { get; private init; }

    public TaskTerms Task { get; }

    public ActionClass TopClass { get; }

    public ActionTraits Traits { get; }

    /// <summary>Some action reads or changes stored data (not only configuration).</summary>
    public bool ChangesOrReadsData { get; }

    public bool AnyUnknown { get; }

    public bool AnyWildcardResource { get; }

    /// <summary>
    /// Highest sensitivity among the resources (an unknown resource counts as critical), or low when the request only
    /// writes work records (<see cref="WorkRecordsOnlyOf"/>).
    /// </summary>
    public Sensitivity MaxSensitivity { get; }

    /// <summary>The resources' own highest sensitivity when the request writes only work records and reads only source and records; otherwise null.</summary>
    public Sensitivity? WorkRecordsOnlyOf { get; }

    public int Width { get; }

    /// <param name="sameText">
    /// Facts of a request with the same purpose and task (a narrower candidate of it): their text analysis is reused
    /// instead of done again.
    /// </param>
    public static RequestFacts Of(AssessmentInput input, RequestFacts? sameText = null)
    {
        var request = input.Request;
        var actions = new ClassifiedAction[request.Actions.Count];
        for (var i = 0; i < actions.Length; i++)
        {
            actions[i] = ActionClassifier.Describe(input.Vocabulary, request.Actions[i]);
        }

        var resources = new ResourceFacts[input.Resources.Count];
        for (var i = 0; i < resources.Length; i++)
        {
            var r = input.Resources[i];
            var catalogue = r.Catalogue;
            var wildcard = r.Name.Contains('*', StringComparison.Ordinal);
            var covered = catalogue is not null ? CoveredEntries(input.Target, r.Name, wildcard, catalogue) : [];
            var sensitivity = catalogue?.Sensitivity ?? Sensitivity.Critical;
            IReadOnlyList<string> tags = catalogue?.Tags ?? [];
            if (covered.Count > 0)
            {
                var union = new List<string>(tags);
                foreach (var entry in covered)
                {
                    sensitivity = entry.Sensitivity > sensitivity ? entry.Sensitivity : sensitivity;
                    foreach (var tag in entry.Tags)
                    {
                        if (!union.Contains(tag, StringComparer.OrdinalIgnoreCase))
                        {
                            union.Add(tag);
                        }
                    }
                }

                tags = union;
            }

            resources[i] = new ResourceFacts(
                r.Name,
                request.Target + "|" + r.Name,
                DisplayName(r.Name),
                catalogue,
                sensitivity,
                tags,
                covered,
                EnvironmentName.Normalise(catalogue?.Environment),
                TextTerms.Of(r.Name),
                catalogue is null ? TextTerms.Empty : CatalogueTerms.GetValue(catalogue, static c => TextTerms.Of(c.Description)),
                wildcard);
        }

        return new RequestFacts(
            actions, resources, sameText?.Purpose ?? TextTerms.Of(request.Purpose), sameText?.Task ?? TaskTerms.Of(input.Task, input.Policy), input.Policy)
        {
            Target = input.Target,
            Vocabulary = input.Vocabulary,
            TargetWide = TargetWideTerms.GetValue(input.Target, WideTerms),
            Injection = sameText?.Injection ?? InjectionDetector.Inspect(request.Purpose),
        };
    }

    private static HashSet<string> WideTerms(TargetPolicy target)
    {
        // The target's own name and description name the system ("pg-sis-staging", "SIS staging database"), not a table in it.
        var wide = new HashSet<string>(TextTerms.Of([target.Name, target.Description]).Distinctive, StringComparer.Ordinal);
        var entries = target.Resources.Count;
        if (entries < 4)
        {
            return wide;
        }

        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var entry in target.Resources)
        {
            foreach (var word in TextTerms.Of([entry.Pattern, entry.Description]).Distinctive)
            {
                counts[word] = counts.GetValueOrDefault(word) + 1;
            }
        }

        foreach (var (word, count) in counts)
        {
            if (count * 2 > entries)
            {
                wide.Add(word);
            }
        }

        return wide;
    }

    /// <summary>
    /// Catalogue entries, other than the matched one, that the request also reaches and that add risk (more sensitive,
    /// or tagged with data the matched entry is not).
    /// </summary>
    private static List<ResourcePolicy> CoveredEntries(TargetPolicy target, string name, bool wildcard, ResourcePolicy matched)
    {
        var azureScope = !wildcard && name.StartsWith("/subscriptions/", StringComparison.OrdinalIgnoreCase);
        if (!wildcard && !azureScope)
        {
            return [];
        }

        var glob = wildcard ? new ResourcePolicy(name, Sensitivity.Low, string.Empty, [], null) : null;
        var below = name.TrimEnd('/') + "/";
        List<ResourcePolicy>? covered = null;
        foreach (var entry in target.Resources)
        {
            if (ReferenceEquals(entry, matched))
            {
                continue;
            }

            var reached = glob?.Matches(entry.Pattern) ?? entry.Pattern.StartsWith(below, StringComparison.OrdinalIgnoreCase);
            if (reached && AddsRisk(entry, matched))
            {
                (covered ??= []).Add(entry);
            }
        }

        return covered ?? [];
    }

    private static bool AddsRisk(ResourcePolicy entry, ResourcePolicy matched)
    {
        if (entry.Sensitivity > matched.Sensitivity)
        {
            return true;
        }

        foreach (var tag in entry.Tags)
        {
            if (!matched.Tags.Contains(tag, StringComparer.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Each name with the catalogue entry it matches (null when none does).</summary>
    public static List<ResolvedResource> Resolve(TargetPolicy target, IReadOnlyList<string> resources)
    {
        var list = new List<ResolvedResource>(resources.Count);
        foreach (var name in resources)
        {
            list.Add(new ResolvedResource(name, target.Match(name)));
        }

        return list;
    }

    /// <summary>The most sensitive catalogue entry among the resources; an unknown resource counts as critical.</summary>
    public static Sensitivity HighestSensitivity(IReadOnlyList<ResolvedResource> resources)
    {
        var highest = Sensitivity.Low;
        foreach (var r in resources)
        {
            var s = r.Catalogue?.Sensitivity ?? Sensitivity.Critical;
            highest = s > highest ? s : highest;
        }

        return highest;
    }

    /// <summary>The part of a resource name a person recognises: <c>prod-hr-documents</c> from its ARN.</summary>
    public static string DisplayName(string resource)
    {
        var name = resource.AsSpan();
        var suffix = string.Empty;
        if (name.EndsWith("/*"))
        {
            name = name[..^2];
            suffix = "/*";
        }

        var cut = name.LastIndexOfAny(':', '/');
        var last = cut >= 0 ? name[(cut + 1)..] : name;
        return last.Length < 2 ? resource : string.Concat(last, suffix);
    }
}
