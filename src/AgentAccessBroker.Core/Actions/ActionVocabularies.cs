namespace AgentAccessBroker.Actions;

/// <summary>The vocabularies of the registered connectors, selected by the connector name a policy target declares.</summary>
public sealed class ActionVocabularies
{
    private readonly Dictionary<string, IActionVocabulary> _vocabularies;

    public ActionVocabularies(IEnumerable<IActionVocabulary> vocabularies)
    {
        ArgumentNullException.ThrowIfNull(vocabularies);
        _vocabularies = new Dictionary<string, IActionVocabulary>(StringComparer.OrdinalIgnoreCase);
        foreach (var vocabulary in vocabularies)
        {
            if (!_vocabularies.TryAdd(vocabulary.Connector, vocabulary))
            {
                throw new InvalidOperationException($"Two action vocabularies are named '{vocabulary.Connector}'.");
            }
        }
    }

    /// <summary>A vocabulary that knows no action and no resource: every action it is asked about is unrecognised.</summary>
    public static IActionVocabulary Empty { get; } = new EmptyVocabulary();

    public IReadOnlyCollection<string> Connectors => _vocabularies.Keys;

    /// <summary>The vocabulary of <paramref name="connector"/>, or <see cref="Empty"/> when no registered connector has one.</summary>
    public IActionVocabulary For(string? connector) =>
        connector is not null && _vocabularies.TryGetValue(connector, out var vocabulary) ? vocabulary : Empty;

    private sealed class EmptyVocabulary : IActionVocabulary
    {
        public string Connector => string.Empty;

        public IReadOnlyList<string> MintableActions => [];

        public ClassifiedAction? Classify(string action) => null;

        public IReadOnlyList<string> ReadCounterparts(string action) => [];

        public bool RecognisesResource(string resource) => false;
    }
}
