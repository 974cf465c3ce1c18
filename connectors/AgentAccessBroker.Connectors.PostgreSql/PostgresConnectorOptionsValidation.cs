using Microsoft.Extensions.Options;

namespace AgentAccessBroker.Connectors.PostgreSql;

/// <summary>Reports every bad option at start-up, not just the first.</summary>
internal sealed class PostgresConnectorOptionsValidation : IValidateOptions<PostgresConnectorOptions>
{
    public ValidateOptionsResult Validate(string? name, PostgresConnectorOptions options)
    {
        var failures = new List<string>();
        Check(failures, WholeSeconds(options.ConnectTimeout, 1, 1024), $"{nameof(options.ConnectTimeout)} must be a whole number of seconds from 1 to 1024.");
        Check(failures, WholeSeconds(options.CommandTimeout, 1, 3600), $"{nameof(options.CommandTimeout)} must be a whole number of seconds from 1 to 3600.");
        Check(failures, options.SessionTerminationTimeout >= TimeSpan.FromMilliseconds(1) && options.SessionTerminationTimeout <= TimeSpan.FromMinutes(1),
            $"{nameof(options.SessionTerminationTimeout)} must be from 1 ms to 1 minute.");
        Check(failures, options.MaxRetryAttempts is >= 0 and <= 10, $"{nameof(options.MaxRetryAttempts)} must be from 0 to 10.");
        Check(failures, options.RetryBaseDelay >= TimeSpan.Zero && options.RetryBaseDelay <= TimeSpan.FromSeconds(30),
            $"{nameof(options.RetryBaseDelay)} must be from 0 to 30 seconds.");
        Check(failures, !string.IsNullOrWhiteSpace(options.ApplicationName) && options.ApplicationName.Length <= 63,
            $"{nameof(options.ApplicationName)} must be 1 to 63 characters.");
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static bool WholeSeconds(TimeSpan value, int min, int max) =>
        value.Ticks % TimeSpan.TicksPerSecond == 0 && value.TotalSeconds >= min && value.TotalSeconds <= max;

    private static void Check(List<string> failures, bool ok, string message)
    {
        if (!ok)
        {
            failures.Add(message);
        }
    }
}
