using System.Security.Cryptography;
using System.Text;
using AgentAccessBroker.Credentials;
using AgentAccessBroker.Policy.Loading;
using AgentAccessBroker.Policy.Loading.Rules;

namespace AgentAccessBroker.Policy;

/// <summary>
/// Loads policy-as-code YAML into a <see cref="BrokerPolicy"/>. Reports every problem with its file, line and column
/// instead of stopping at the first, and yields a policy only when there is none.
/// </summary>
/// <remarks>
/// Security contract: settings named like secrets must be references (<c>{ env: NAME }</c> / <c>{ file: PATH }</c>);
/// secret values are never resolved here and never appear in a <see cref="PolicyProblem"/>.
/// </remarks>
public static class PolicyLoader
{
    /// <summary>Loads a policy from text. <paramref name="sourceName"/> is used in problems and as <see cref="BrokerPolicy.Source"/>.</summary>
    public static PolicyLoadResult Load(string yamlText, string sourceName, ConnectorValidator validate)
    {
        ArgumentNullException.ThrowIfNull(yamlText);
        ArgumentNullException.ThrowIfNull(sourceName);
        ArgumentNullException.ThrowIfNull(validate);

        var problems = new ProblemSink(sourceName);
        var root = YamlTreeReader.Read(yamlText, problems);
        var draft = root is null ? null : new PolicyDraftReader(new YamlSchemaReader(problems)).Read(root);
        if (draft is not null)
        {
            var context = new PolicyRuleContext(draft, validate, problems);
            foreach (var rule in PolicyRules.All)
            {
                rule.Check(context);
            }
        }

        return (draft is not null && problems.Count == 0
            ? new PolicyLoadResult(BrokerPolicyBuilder.Build(draft, sourceName, ComputeVersion(yamlText)), [])
            : new PolicyLoadResult(null, problems.Sorted())) with { Notices = problems.SortedNotices() };
    }

    /// <summary>Reads and loads a file. An unreadable file is reported as an <see cref="PolicyProblemCodes.UnreadableFile"/> problem.</summary>
    public static PolicyLoadResult LoadFile(string path, ConnectorValidator validate)
    {
        ArgumentNullException.ThrowIfNull(path);
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return new PolicyLoadResult(null, [new PolicyProblem(path, 1, 1, PolicyProblemCodes.UnreadableFile, ex.Message)]);
        }

        return Load(text, path, validate);
    }

    /// <summary>A validator backed by the registered credential providers: unknown names yield null, known ones check their settings.</summary>
    public static ConnectorValidator ValidatorFor(CredentialProviderRegistry providers)
    {
        ArgumentNullException.ThrowIfNull(providers);
        return target => providers.TryGet(target.Connector, out var provider) ? provider.ValidateTarget(target) : null;
    }

    /// <summary>The first 16 hex digits of the SHA-256 of the text: short enough for audit lines, enough to tell versions apart.</summary>
    public static string ComputeVersion(string yamlText) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(yamlText)))[..16];
}
