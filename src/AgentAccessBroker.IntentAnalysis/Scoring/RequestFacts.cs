using System.Runtime.CompilerServices;
using AgentAccessBroker.Decisions;
using AgentAccessBroker.Domain;
using AgentAccessBroker.IntentAnalysis.Classification;
using AgentAccessBroker.IntentAnalysis.Text;
using AgentAccessBroker.Policy;

namespace AgentAccessBroker.IntentAnalysis.Scoring;

/// <summary>One requested resource with everything the factors need to know about it.</summary>
internal readonly record struct ResourceFacts(
    string Name,
    string Key,
    string Display,
    ResourcePolicy? Catalogue,
    Sensitivity Sensitivity,
    string? Environment,
    TextTerms NameTerms,
    TextTerms CatalogueTerms,
    bool Wildcard)
{
    public bool HasTag(string tag) => Catalogue is { } c && c.Tags.Contains(tag, StringComparer.OrdinalIgnoreCase);

    public bool IsKind(string genericNoun) => NameTerms.All.Contains(genericNoun) || CatalogueTerms.All.Contains(genericNoun);

    public bool SharesDistinctive(HashSet<string> words) =>
        NameTerms.Distinctive.Overlaps(words) || CatalogueTerms.Distinctive.Overlaps(words);
}

/// <summary>The task's words and hints, computed once per task object.</summary>
internal sealed class TaskTerms
{
    private static readonly ConditionalWeakTable<BrokerTask, TaskTerms> Cache = new();

    private TaskTerms(TextTerms terms, string[] hints, string? environment)
    {
        Terms = terms;
        Hints = hints;
        Environment = environment;
    }

    public TextTerms Terms { get; }

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

        return new TaskTerms(TextTerms.Of(texts), [.. t.ScopeHints], EnvironmentName.Normalise(t.Environment));
    });

    /// <summary>A hint names this resource, as an exact name or a glob.</summary>
    public bool HintMatches(string resource)
    {
        foreach (var hint in Hints)
        {
            if (hint.Contains('*', StringComparison.Ordinal) ? GlobOf(hint).Matches(resource) : string.Equals(hint, resource, StringComparison.Ordinal))
            {
                return true;
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

    private RequestFacts(ClassifiedAction[] actions, ResourceFacts[] resources, TextTerms purpose, TaskTerms task)
    {
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
            resources[i] = new ResourceFacts(
                r.Name,
                request.Target + "|" + r.Name,
                DisplayName(r.Name),
                catalogue,
                catalogue?.Sensitivity ?? Sensitivity.Critical,
                EnvironmentName.Normalise(catalogue?.Environment),
                TextTerms.Of(r.Name),
                catalogue is null ? TextTerms.Empty : CatalogueTerms.GetValue(catalogue, static c => TextTerms.Of(c.Description)),
                r.Name.Contains('*', StringComparison.Ordinal));
        }

        return new RequestFacts(actions, resources, TextTerms.Of(request.Purpose), TaskTerms.Of(input.Task));
    }

    /// <summary>The part of a resource name a person recognises: <c>prod-hr-documents</c> from its ARN.</summary>
    public static string DisplayName(string resource)
    {
        var name = resource.AsSpan().TrimEnd("/*");
        var cut = name.LastIndexOfAny(':', '/');
        var last = cut >= 0 && cut < name.Length - 1 ? name[(cut + 1)..] : name;
        if (last.IsEmpty)
        {
            return resource;
        }

        return last.Length < 3 ? resource : last.ToString();
    }
}
