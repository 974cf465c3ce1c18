using AgentAccessBroker.Credentials;

namespace AgentAccessBroker.Policy.Loading.Rules;

/// <summary>
/// The connector exists and accepts the target's settings. Each connector problem is placed on its settings key, or on
/// <c>settings:</c> when the key is missing. Inline secrets are withheld from the connector: they are already reported,
/// and a connector must never see a secret that the policy was not allowed to hold.
/// </summary>
internal sealed class ConnectorSettingsRule : IPolicyRule
{
    public void Check(PolicyRuleContext context)
    {
        foreach (var target in context.Draft.Targets)
        {
            if (target.Connector is not { } connector)
            {
                continue;
            }

            var settings = target.Settings;
            var withheld = settings.Plain.Where(p => SecretSettingNames.LooksSecret(p.Key.Value, p.Value)).Select(p => p.Key.Value).ToHashSet(StringComparer.Ordinal);
            var name = target.Name?.Value ?? string.Empty;
            var problems = context.ValidateConnector(new TargetSettings(
                name,
                connector.Value,
                settings.Plain.Where(p => !withheld.Contains(p.Key.Value)).ToDictionary(p => p.Key.Value, p => p.Value, StringComparer.Ordinal),
                settings.Secrets.ToDictionary(s => s.Key.Value, s => s.Value, StringComparer.Ordinal)));
            if (problems is null)
            {
                context.Report(connector.At, PolicyProblemCodes.UnknownConnector, $"target '{name}' uses connector '{connector.Value}', which this broker does not have");
                continue;
            }

            foreach (var problem in problems.Where(p => !withheld.Contains(p.Key) && !settings.Unreadable.Contains(p.Key)))
            {
                context.Report(
                    settings.LocationOf(problem.Key) ?? settings.At,
                    PolicyProblemCodes.InvalidSetting,
                    $"target '{name}' setting '{problem.Key}': {problem.Message}");
            }
        }
    }
}
