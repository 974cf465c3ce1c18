namespace AgentAccessBroker.Credentials;

/// <summary>
/// Resolves <see cref="SecretReference"/>s from environment variables and files (for example Kubernetes or systemd
/// credentials mounted under <c>/run/secrets</c>).
/// </summary>
/// <remarks>
/// Security contract: the value is read at the moment of use and never cached, logged or placed in an exception; errors
/// name the reference only. A file's trailing line break is removed because editors and <c>echo</c> add one that is not
/// part of the secret; other whitespace is kept, since it may be.
/// </remarks>
public sealed class EnvironmentAndFileSecretResolver : ISecretResolver
{
    public string Resolve(SecretReference reference)
    {
        ArgumentNullException.ThrowIfNull(reference);
        return reference.Source switch
        {
            SecretSource.Environment => FromEnvironment(reference),
            SecretSource.File => FromFile(reference),
            _ => throw new InvalidOperationException($"Secret reference '{reference}' has an unknown source."),
        };
    }

    private static string FromEnvironment(SecretReference reference)
    {
        var value = Environment.GetEnvironmentVariable(reference.Location);
        return string.IsNullOrEmpty(value)
            ? throw new InvalidOperationException($"Secret reference '{reference}': the environment variable is not set or is empty.")
            : value;
    }

    private static string FromFile(SecretReference reference)
    {
        string text;
        try
        {
            text = File.ReadAllText(reference.Location);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // The inner exception carries the path and the OS reason, never file content.
            throw new InvalidOperationException($"Secret reference '{reference}': the file cannot be read ({ex.GetType().Name}).", ex);
        }

        var value = TrimOneLineBreak(text);
        return value.Length == 0
            ? throw new InvalidOperationException($"Secret reference '{reference}': the file is empty.")
            : value;
    }

    private static string TrimOneLineBreak(string text) =>
        text.EndsWith("\r\n", StringComparison.Ordinal) ? text[..^2]
        : text.EndsWith('\n') ? text[..^1]
        : text;
}
