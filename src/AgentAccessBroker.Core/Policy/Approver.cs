namespace AgentAccessBroker.Policy;

/// <summary>A human approver: their broker principal id and who they are on each approval channel.</summary>
/// <param name="Identities">
/// Identity name (an approval channel's <see cref="Approvals.IApprovalChannel.Name"/>, or <c>email</c> for console
/// sign-in) to the external user id that channel verifies. A channel decides who clicked from its own verified
/// payload and looks the id up here; a button value or a display name is never an identity.
/// </param>
public sealed record Approver(string Id, IReadOnlyDictionary<string, string> Identities)
{
    /// <summary>The identity name of an e-mail address (matched against a single sign-on <c>email</c> claim).</summary>
    public const string EmailIdentity = "email";

    /// <summary>An approver known only by their broker id (CLI, API and console sign-in by id).</summary>
    public Approver(string id)
        : this(id, new Dictionary<string, string>(StringComparer.Ordinal))
    {
    }

    /// <summary>This approver's external id on <paramref name="channel"/>, or null when they have none there.</summary>
    public string? IdentityOn(string channel) => Identities.TryGetValue(channel, out var value) ? value : null;

    /// <summary>
    /// True when <paramref name="externalId"/> is this approver's identity on <paramref name="channel"/>. Compared
    /// ignoring case: e-mail addresses and Entra object ids are case-insensitive, chat user ids are upper case.
    /// </summary>
    public bool Owns(string channel, string externalId) =>
        IdentityOn(channel) is { } identity && string.Equals(identity, externalId, StringComparison.OrdinalIgnoreCase);
}
