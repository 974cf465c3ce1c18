using System.Globalization;
using System.Text;
using System.Text.Json;
using AgentAccessBroker.Client;

namespace AgentAccessBroker.Cli;

/// <summary>
/// A minted credential in the form a tool takes it: <c>env</c> (shell <c>export</c> lines), <c>json</c> (the API's
/// credential object), <c>credential-process</c> (the JSON AWS SDKs read from a <c>credential_process</c>), <c>libpq</c>
/// (a PostgreSQL connection string psql and every libpq client accept).
/// </summary>
internal static class CredentialFormats
{
    public static readonly string[] Names = ["env", "json", "credential-process", "libpq"];

    public static string Render(CredentialView credential, string format) => format switch
    {
        "env" => Env(credential),
        "json" => JsonSerializer.Serialize(credential, BrokerJson.Options),
        "credential-process" => CredentialProcess(credential),
        "libpq" => Libpq(credential),
        _ => throw new CliException($"unknown credential format '{format}': use {string.Join(", ", Names)}."),
    };

    private static string Env(CredentialView credential)
    {
        var text = new StringBuilder();
        foreach (var (name, value) in credential.EnvironmentVariables)
        {
            text.Append(CultureInfo.InvariantCulture, $"export {name}='{value.Replace("'", "'\\''", StringComparison.Ordinal)}'\n");
        }

        return text.ToString().TrimEnd('\n');
    }

    private static string CredentialProcess(CredentialView credential)
    {
        var variables = credential.EnvironmentVariables;
        if (!variables.TryGetValue("AWS_ACCESS_KEY_ID", out var keyId) || !variables.TryGetValue("AWS_SECRET_ACCESS_KEY", out var secret))
        {
            throw new CliException($"--format credential-process is for AWS credentials; this one is {credential.Kind} (try env or json).");
        }

        var document = new Dictionary<string, object?>
        {
            ["Version"] = 1,
            ["AccessKeyId"] = keyId,
            ["SecretAccessKey"] = secret,
            ["SessionToken"] = variables.GetValueOrDefault("AWS_SESSION_TOKEN"),
            ["Expiration"] = Output.Time(credential.ExpiresAt),
        };
        return JsonSerializer.Serialize(document);
    }

    private static string Libpq(CredentialView credential)
    {
        var variables = credential.EnvironmentVariables;
        if (!variables.ContainsKey("PGUSER") || !variables.ContainsKey("PGHOST"))
        {
            throw new CliException($"--format libpq is for PostgreSQL credentials; this one is {credential.Kind} (try env or json).");
        }

        (string Keyword, string Variable)[] keywords =
            [("host", "PGHOST"), ("port", "PGPORT"), ("dbname", "PGDATABASE"), ("user", "PGUSER"), ("password", "PGPASSWORD"), ("sslmode", "PGSSLMODE")];
        return string.Join(' ', keywords.Where(k => variables.ContainsKey(k.Variable)).Select(k => $"{k.Keyword}={Quote(variables[k.Variable])}"));
    }

    // libpq keyword/value syntax: single quotes around the value, backslash before a quote or backslash inside.
    private static string Quote(string value) => "'" + value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("'", "\\'", StringComparison.Ordinal) + "'";
}
