namespace AgentAccessBroker.Credentials;

/// <summary>
/// A minted secret in ready-to-use forms. Handed to the agent once, never stored, never logged: <see cref="ToString"/>
/// redacts every value.
/// </summary>
/// <param name="Kind">What it is (<c>postgresql-login</c>, <c>aws-sts-session</c>, <c>azure-access-token</c>).</param>
/// <param name="EnvironmentVariables">Variables that tools read as they are (<c>PGPASSWORD</c>, <c>AWS_SESSION_TOKEN</c>...).</param>
/// <param name="Forms">Other named ready-to-use forms (<c>connection_string</c>, <c>credential_process</c>...).</param>
public sealed record IssuedCredential(
    string Kind,
    IReadOnlyDictionary<string, string> EnvironmentVariables,
    IReadOnlyDictionary<string, string> Forms)
{
    public override string ToString() =>
        $"IssuedCredential {{ Kind = {Kind}, EnvironmentVariables = [{string.Join(", ", EnvironmentVariables.Keys)}] (redacted), Forms = [{string.Join(", ", Forms.Keys)}] (redacted) }}";

    /// <summary>
    /// Keys of <see cref="EnvironmentVariables"/> whose values are not secret (host, port, user name), and may therefore
    /// also appear in revocation data, logs and audit events. Empty by default: every value counts as secret.
    /// Every form always counts as secret.
    /// </summary>
    public IReadOnlySet<string> PlainVariables { get; init; } = new HashSet<string>(StringComparer.Ordinal);

    /// <summary>Every secret value, so tests and log scrubbers can check none of them leaked.</summary>
    public IEnumerable<string> SecretValues() =>
        EnvironmentVariables.Where(v => !PlainVariables.Contains(v.Key)).Select(v => v.Value).Concat(Forms.Values);
}
