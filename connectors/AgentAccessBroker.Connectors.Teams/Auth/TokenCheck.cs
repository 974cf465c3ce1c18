namespace AgentAccessBroker.Connectors.Teams.Auth;

/// <summary>The outcome of checking one Bot Framework token. <see cref="Code"/> is stable and safe to log; it never contains the token.</summary>
internal sealed record TokenCheck(bool Valid, string Code)
{
    public static TokenCheck Accepted { get; } = new(true, "valid");

    public static TokenCheck Refused(string code) => new(false, code);
}
