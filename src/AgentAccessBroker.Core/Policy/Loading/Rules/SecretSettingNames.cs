namespace AgentAccessBroker.Policy.Loading.Rules;

/// <summary>
/// Decides from a setting's name whether its value is secret. Errs towards "secret": a false alarm costs a reference, a
/// miss leaks a password. The one exception is a switch: a value of true, false or auto is a choice, not a secret
/// (<c>broker_uses_role_credentials: true</c> says how the broker authenticates, it holds no credential).
/// </summary>
internal static class SecretSettingNames
{
    private static readonly string[] SecretWords = ["password", "passwd", "passphrase", "secret", "token", "key", "credential", "credentials"];

    // Also caught when glued to the word before them (clientsecret, apiKey, connectionString).
    private static readonly string[] SecretSuffixes = ["password", "passwd", "passphrase", "secret", "token", "credential", "credentials", "apikey", "privatekey", "accesskey", "connectionstring"];

    private static readonly string[] SwitchValues = ["true", "false", "auto"];

    /// <summary>Whether the inline setting <paramref name="key"/>: <paramref name="value"/> must be given by reference instead.</summary>
    public static bool LooksSecret(string key, string value) =>
        LooksSecret(key) && !SwitchValues.Contains(value.Trim(), StringComparer.OrdinalIgnoreCase);

    public static bool LooksSecret(string key)
    {
        var words = Words(key);
        if (words.Count == 0)
        {
            return false;
        }

        if (SecretWords.Contains(words[^1], StringComparer.Ordinal))
        {
            return true;
        }

        var joined = string.Concat(words);
        return SecretSuffixes.Any(s => joined.EndsWith(s, StringComparison.Ordinal));
    }

    /// <summary>Splits <c>client_secret</c>, <c>client-secret</c>, <c>client.secret</c> and <c>clientSecret</c> into lower-case words.</summary>
    private static List<string> Words(string key)
    {
        var words = new List<string>();
        var current = new System.Text.StringBuilder();
        for (var i = 0; i < key.Length; i++)
        {
            var c = key[i];
            var boundary = char.IsUpper(c) && i > 0 && char.IsLower(key[i - 1]);
            if (!char.IsLetterOrDigit(c) || boundary)
            {
                Flush();
            }

            if (char.IsLetterOrDigit(c))
            {
                current.Append(char.ToLowerInvariant(c));
            }
        }

        Flush();
        return words;

        void Flush()
        {
            if (current.Length > 0)
            {
                words.Add(current.ToString());
                current.Clear();
            }
        }
    }
}
