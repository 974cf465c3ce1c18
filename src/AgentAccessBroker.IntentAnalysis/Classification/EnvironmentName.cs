namespace AgentAccessBroker.IntentAnalysis.Classification;

/// <summary>Folds the many spellings of an environment into one, so "production" in a task matches "prod" in the catalogue.</summary>
internal static class EnvironmentName
{
    public static string? Normalise(string? environment)
    {
        if (string.IsNullOrWhiteSpace(environment))
        {
            return null;
        }

        var e = environment.Trim().ToLowerInvariant();
        return e switch
        {
            "production" or "prd" or "live" => "prod",
            "development" or "develop" or "devel" or "sandbox" => "dev",
            "stage" or "stg" or "preprod" or "pre-prod" or "uat" => "staging",
            "testing" or "tst" or "qa" => "test",
            _ => e,
        };
    }

    public static bool IsProduction(string? environment) => Normalise(environment) == "prod";
}
