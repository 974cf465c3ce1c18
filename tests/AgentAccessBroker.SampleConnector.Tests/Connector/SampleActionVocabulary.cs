using AgentAccessBroker.Actions;
using AgentAccessBroker.Domain;

namespace AgentAccessBroker.SampleConnector.Connector;

/// <summary>The sample target's two actions on notes: <c>read</c> and <c>write</c>, on <c>notes/&lt;name&gt;</c> or <c>notes/*</c>.</summary>
internal sealed class SampleActionVocabulary : IActionVocabulary
{
    public string Connector => SampleCredentialProvider.ConnectorName;

    public IReadOnlyList<string> MintableActions { get; } = ["read", "write"];

    public ClassifiedAction? Classify(string action) => action.Trim() switch
    {
        "read" => new(action, ActionClass.Read, ActionTraits.DataAccess),
        "write" => new(action, ActionClass.Write, ActionTraits.DataAccess),
        _ => null,
    };

    public IReadOnlyList<string> ReadCounterparts(string action) => ["read"];

    public bool RecognisesResource(string resource) =>
        resource.StartsWith("notes/", StringComparison.Ordinal) && resource.Length > "notes/".Length && resource.IndexOfAny(['/', '\\', '.'], "notes/".Length) < 0;
}
