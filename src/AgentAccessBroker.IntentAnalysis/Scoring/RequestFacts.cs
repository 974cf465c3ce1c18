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

    public bool IsKind(string genericNoun) => NameTerms.All.Contains(genericNoun) || CatalogueTerms.All.Contains(genericNoun);

    /// <summary>
    /// The name shares a specific word with <paramref name="words"/>, or the catalogue description shares two: one
    /// description word ("customer") appears in too many descriptions to place a resource in a task on its own.
    /// </summary>
    public bool SharesDistinctive(HashSet<string> words)
    {
        if (NameTerms.Distinctive.Overlaps(words))
        {
            return true;
        }

        var shared = 0;
        foreach (var word in CatalogueTerms.Distinctive)
        {
            if (words.Contains(word) && ++shared >= 2)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Neither name nor description says what it is (a key id, a subscription GUID).</summary>
    public bool Opaque => NameTerms.Distinctive.Count == 0 && CatalogueTerms.Distinctive.Count == 0;
}

/// <summary>The task's words and hints, computed once per task object.</summary>
internal sealed class TaskTerms
{
    private static readonly ConditionalWeakTable<BrokerTask, TaskTerms> Cache = new();

    private TaskTerms(TextTerms terms, TextTerms[] hintTerms, string[] hints, string? environment)
    {
        Terms = terms;
        HintTerms = hintTerms;
        Hints = hints;
        Environment = environment;
    }

    public TextTerms Terms { get; }

    /// <summary>The words of each scope hint: the human named these, so even a generic word in them counts.</summary>
    public TextTerms[] HintTerms { get; }

    public string[] Hints { get; }

    public string? Environment { get; }

    /// <summary>An investigation or a question: nothing in the task's words asks for a change.</summary>
    public bool ReadOnly => (Terms.Intents & (VerbIntent.Read | VerbIntent.Investigate)) != 0
                            && (Terms.Intents & (VerbIntent.Write | VerbIntent.Delete | VerbIntent.Permission)) == 0;

    public static TaskTerms Of(BrokerTask task) => Cache.GetValue(task, static t =>
    {
        var texts = new string?[t.ScopeHints.Count + 1];
        texts[0] = t.Description;
        for (var i = 0; i < t.ScopeHints.Count; i++)
        {
            texts[i + 1] = t.ScopeHints[i];
        }

        var hintTerms = new TextTerms[t.ScopeHints.Count];
        for (var i = 0; i < hintTerms.Length; i++)
        {
            hintTerms[i] = TextTerms.Of(t.ScopeHints[i]);
        }

        return new TaskTerms(TextTerms.Of(texts), hintTerms, [.. t.ScopeHints], EnvironmentName.Normalise(t.Environment));
    });

    /// <summary>
    /// A hint names this resource: its full name, a glob over it, its short name (<c>kv-dev-app</c>), or its kind
    /// ("cloudtrail"). A hint that is a target name says which system, not which resource, so it places nothing.
    /// </summary>
    public bool HintMatches(ResourceFacts resource, BrokerPolicy policy)
    {
        for (var i = 0; i < Hints.Length; i++)
        {
            var hint = Hints[i];
            if (policy.FindTarget(hint) is not null)
            {
                continue;
            }

            if (hint.Contains('*', StringComparison.Ordinal)
                    ? GlobOf(hint).Matches(resource.Name)
                    : string.Equals(hint, resource.Name, StringComparison.Ordinal) || string.Equals(hint, resource.Display, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }

            foreach (var word in resource.NameTerms.All)
            {
                if (word != resource.Environment && HintTerms[i].All.Contains(word) && Lexicon.Lookup(word).Kind != TermKind.Environment)
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

        Width = resources.Length * Math.Max(1, actions.Length);
    }

    public BrokerPolicy Policy { get; }

    public ClassifiedAction[] Actions { get; }

    public ResourceFacts[] Resources { get; }

    public TextTerms Purpose { get; }

    public TaskTerms Task { get; }

    public ActionClass TopClass { get; }

    public ActionTraits Traits { get; }

    /// <summary>Some action reads or changes stored data (not only configuration).</summary>
    public bool ChangesOrReadsData { get; }

    public bool AnyUnknown { get; }

    public bool AnyWildcardResource { get; }

    /// <summary>Highest sensitivity among the resources; an unknown resource counts as critical.</summary>
    public Sensitivity MaxSensitivity { get; }

    public int Width { get; }

    public static RequestFacts Of(AssessmentInput input)
    {
        var request = input.Request;
        var actions = new ClassifiedAction[request.Actions.Count];
        for (var i = 0; i < actions.Length; i++)
        {
            actions[i] = ActionClassifier.Describe(request.Actions[i]);
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

        return new RequestFacts(actions, resources, TextTerms.Of(request.Purpose), TaskTerms.Of(input.Task), input.Policy);
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
