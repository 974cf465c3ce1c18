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

    /// <summary>Every secret value, so tests and log scrubbers can check none of them leaked.</summary>
    public IEnumerable<string> SecretValues() => EnvironmentVariables.Values.Concat(Forms.Values);
}
