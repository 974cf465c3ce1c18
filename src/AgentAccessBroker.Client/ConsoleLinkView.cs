namespace AgentAccessBroker.Client;

/// <summary>A one-time console sign-in link, on the address the caller reached the broker at. Its token is a secret until used.</summary>
public sealed record ConsoleLinkView(string Principal, Uri Url, DateTimeOffset ExpiresAt)
{
    public override string ToString() => $"ConsoleLinkView {{ Principal = {Principal}, Url = (redacted), ExpiresAt = {ExpiresAt:O} }}";
}
