namespace AgentAccessBroker.Client;

/// <summary>
/// What a token is, from its prefix alone: <c>aaba_</c> an agent's bearer token, <c>aabu_</c> a person's bearer token,
/// <c>aabt_</c> a task token (sent in <see cref="BrokerClient.TaskTokenHeader"/>, never as the bearer). Lets the CLI and
/// the broker name a swapped token instead of answering "unauthenticated". Reveals nothing secret.
/// </summary>
public static class TokenKinds
{
    public const string AgentPrefix = "aaba_";
    public const string UserPrefix = "aabu_";
    public const string TaskPrefix = "aabt_";

    /// <summary><c>agent token</c>, <c>user token</c>, <c>task token</c>, or <c>unrecognised token</c>.</summary>
    public static string Describe(string? token) => token switch
    {
        null => "no token",
        _ when token.StartsWith(AgentPrefix, StringComparison.Ordinal) => "agent token",
        _ when token.StartsWith(UserPrefix, StringComparison.Ordinal) => "user token",
        _ when token.StartsWith(TaskPrefix, StringComparison.Ordinal) => "task token",
        _ => "unrecognised token",
    };

    public static bool IsTaskToken(string? token) => token?.StartsWith(TaskPrefix, StringComparison.Ordinal) == true;

    public static bool IsBearerToken(string? token) =>
        token is not null && (token.StartsWith(AgentPrefix, StringComparison.Ordinal) || token.StartsWith(UserPrefix, StringComparison.Ordinal));
}
