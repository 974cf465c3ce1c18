namespace AgentAccessBroker.Client;

/// <summary>Asks for a one-time console sign-in link: for the caller, or (admins only) for another person.</summary>
public sealed record ConsoleLinkBody(string? Principal);
