namespace AgentAccessBroker.Policy.Loading.Rules;

/// <summary>
/// Settings named like secrets are given by reference, never inline: policy files live in Git and in review tools.
/// The message names the key only; echoing the value would leak it into logs and CI output.
/// </summary>
internal sealed class InlineSecretRule : IPolicyRule
{
    public void Check(PolicyRuleContext context)
    {
        foreach (var target in context.Draft.Targets)
        {
            foreach (var (key, _) in target.Settings.Plain.Where(p => SecretSettingNames.LooksSecret(p.Key.Value, p.Value)))
            {
                context.Report(
                    key.At,
                    PolicyProblemCodes.InlineSecret,
                    $"target '{target.Name?.Value}' setting '{key.Value}' looks secret and must not be written inline; use {{ env: VARIABLE }} or {{ file: /path }} (the value is not shown here)");
            }
        }
    }
}
