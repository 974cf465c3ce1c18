using System.Collections;

namespace AgentAccessBroker.Server.Hosting;

/// <summary>
/// The broker's one configuration model. Sources, later ones winning: <c>appsettings.json</c> beside the binary,
/// <c>appsettings.json</c> in the data directory, the older <c>AAB_*</c> variable names (see <see cref="LegacyAliases"/>),
/// environment variables with the <c>AAB_</c> prefix and <c>__</c> between sections (<c>AAB_Broker__Urls</c>), then
/// the command line (<c>--Broker:Urls=...</c> and the <c>aab serve</c> flags). Sections: <c>Broker</c> (the host,
/// <see cref="BrokerServerOptions"/>), <c>Channels:&lt;Name&gt;</c> (approval channels) and <c>Connectors:&lt;Name&gt;</c>
/// (credential providers). docs/CONFIGURATION.md lists every key.
/// </summary>
/// <remarks>
/// Security contract: secrets are never configuration values. Keys ending in <c>Ref</c> (and <c>Siem:Token</c>,
/// <c>ApiKey</c>) hold references (<c>env:NAME</c>, <c>file:PATH</c>) resolved by the secret resolver when used; the
/// binder refuses a bare value there. This is the only place the host reads its environment.
/// </remarks>
public static class BrokerConfiguration
{
    public const string EnvironmentPrefix = "AAB_";

    public const string FileName = "appsettings.json";

    /// <summary>
    /// Older variable names that keep working, each mapped to its key. A value of <c>null</c> in the map means the
    /// variable's presence turns something on (its value is a secret and is read only by reference).
    /// </summary>
    public static IReadOnlyDictionary<string, string> LegacyAliases { get; } = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["AAB_DATA"] = "Broker:DataDirectory",
        ["AAB_POLICY"] = "Broker:PolicyPath",
        ["AAB_URLS"] = "Broker:Urls",
        ["AAB_STORE"] = "Broker:Store",
        ["AAB_SIEM_ENDPOINT"] = "Broker:Siem:Endpoint",
        ["AAB_SIEM_TOKEN_ENV"] = "Broker:Siem:Token",
        ["AAB_OIDC_AUTHORITY"] = "Broker:Console:OidcAuthority",
        ["AAB_OIDC_CLIENT_ID"] = "Broker:Console:OidcClientId",
        ["AAB_OIDC_CLAIM"] = "Broker:Console:OidcClaim",
        ["AAB_REVIEW_ENDPOINT"] = "Broker:ReviewEndpoint",
        ["AAB_REVIEW_API_KEY_ENV"] = "Broker:ReviewApiKey",
        ["AAB_SLACK_BOT_TOKEN"] = "Channels:Slack:Enabled",
        ["AAB_SLACK_MODE"] = "Channels:Slack:Mode",
        ["AAB_SLACK_DEFAULT_CHANNEL"] = "Channels:Slack:DefaultChannel",
        ["AAB_SLACK_API_URL"] = "Channels:Slack:ApiBaseUrl",
    };

    /// <summary>The process's configuration: its environment and <paramref name="commandLine"/> (extra <c>--Key=value</c> pairs).</summary>
    public static IConfigurationRoot FromProcess(IEnumerable<string>? commandLine = null, IReadOnlyDictionary<string, string?>? overrides = null) =>
        Build(ProcessEnvironment(), commandLine ?? [], overrides, AppContext.BaseDirectory);

    /// <param name="environment">Variables as the process has them; only <c>AAB_</c> ones are read.</param>
    /// <param name="commandLine"><c>--Section:Key=value</c> pairs.</param>
    /// <param name="overrides">Already parsed command-line flags (<c>aab serve --urls</c>), keyed like configuration; win over everything.</param>
    /// <param name="binaryDirectory">Where an <c>appsettings.json</c> beside the binary is looked for; null for none.</param>
    public static IConfigurationRoot Build(
        IReadOnlyDictionary<string, string?> environment,
        IEnumerable<string> commandLine,
        IReadOnlyDictionary<string, string?>? overrides = null,
        string? binaryDirectory = null)
    {
        ArgumentNullException.ThrowIfNull(environment);
        ArgumentNullException.ThrowIfNull(commandLine);
        var fromEnvironment = EnvironmentKeys(environment);
        var arguments = commandLine.ToArray();

        // The data directory decides where the second appsettings.json is, so it is found from the other sources first.
        var early = new ConfigurationBuilder().AddInMemoryCollection(fromEnvironment).AddCommandLine(arguments).AddInMemoryCollection(overrides ?? new Dictionary<string, string?>()).Build();
        var builder = new ConfigurationBuilder();
        if (binaryDirectory is not null)
        {
            builder.AddJsonFile(Path.Combine(Path.GetFullPath(binaryDirectory), FileName), optional: true, reloadOnChange: false);
        }

        if (early["Broker:DataDirectory"] is { Length: > 0 } data)
        {
            builder.AddJsonFile(Path.Combine(Path.GetFullPath(data), FileName), optional: true, reloadOnChange: false);
        }

        return builder
            .AddInMemoryCollection(fromEnvironment)
            .AddCommandLine(arguments)
            .AddInMemoryCollection(overrides ?? new Dictionary<string, string?>())
            .Build();
    }

    /// <summary>Legacy names first, so a variable written the new way wins over its older spelling.</summary>
    private static Dictionary<string, string?> EnvironmentKeys(IReadOnlyDictionary<string, string?> environment)
    {
        var keys = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        foreach (var (name, value) in environment.Where(v => LegacyAliases.ContainsKey(v.Key) && !string.IsNullOrEmpty(v.Value)).OrderBy(v => v.Key, StringComparer.Ordinal))
        {
            keys[LegacyAliases[name]] = LegacyValue(name, value!);
        }

        foreach (var (name, value) in environment)
        {
            // Only sectioned names (AAB_Broker__Urls): the flat AAB_* names are the aliases above or secrets read by reference.
            if (name.StartsWith(EnvironmentPrefix, StringComparison.OrdinalIgnoreCase) && name.Contains("__", StringComparison.Ordinal))
            {
                keys[name[EnvironmentPrefix.Length..].Replace("__", ConfigurationPath.KeyDelimiter, StringComparison.Ordinal)] = value;
            }
        }

        return keys;
    }

    private static string LegacyValue(string name, string value) => name switch
    {
        // The bot token itself stays in the variable (read by reference); its presence turns Slack on.
        "AAB_SLACK_BOT_TOKEN" => "true",
        "AAB_SLACK_MODE" => value switch
        {
            "http" => "Http",
            "socket" => "SocketMode",
            "both" => "Both",
            _ => value,
        },

        // These named the variable holding a secret; the key now takes the reference.
        "AAB_SIEM_TOKEN_ENV" or "AAB_REVIEW_API_KEY_ENV" => "env:" + value,
        _ => value,
    };

    private static Dictionary<string, string?> ProcessEnvironment()
    {
        var variables = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (DictionaryEntry entry in Environment.GetEnvironmentVariables())
        {
            if (entry.Key is string name && name.StartsWith(EnvironmentPrefix, StringComparison.OrdinalIgnoreCase))
            {
                variables[name] = entry.Value as string;
            }
        }

        return variables;
    }
}
