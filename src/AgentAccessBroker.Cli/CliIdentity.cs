using AgentAccessBroker.Client;

namespace AgentAccessBroker.Cli;

/// <summary>Which token the CLI sends and where it came from, so an auth error can say both (never the token itself).</summary>
internal sealed record CliIdentity(string Token, string Source)
{
    public string Kind => TokenKinds.Describe(Token);

    /// <summary>E.g. <c>the agent token from AAB_TOKEN</c> or <c>the user token from .aab/admin.token (AAB_TOKEN is not set)</c>.</summary>
    public string Describe() => $"the {Kind} from {Source}";

    public override string ToString() => $"CliIdentity {{ Kind = {Kind}, Source = {Source}, Token = (redacted) }}";
}
