using AgentAccessBroker.Domain;

namespace AgentAccessBroker.Actions;

/// <summary>An action with its class and traits, as an <see cref="IActionVocabulary"/> recognised it.</summary>
public readonly record struct ClassifiedAction(string Action, ActionClass Class, ActionTraits Traits)
{
    public bool Has(ActionTraits trait) => (Traits & trait) == trait;
}
