namespace AgentAccessBroker.Connectors.Azure;

/// <summary>An application secret as listed by Graph (never with its value).</summary>
internal sealed record ApplicationPassword(string KeyId, string? DisplayName, DateTimeOffset? EndDateTime);

/// <summary>A just-added application secret. <see cref="SecretText"/> exists only here and in the issued credential.</summary>
internal sealed record AddedApplicationPassword(string KeyId, string SecretText, DateTimeOffset EndDateTime)
{
    public override string ToString() => $"AddedApplicationPassword {{ KeyId = {KeyId}, SecretText = (redacted), EndDateTime = {EndDateTime:O} }}";
}
