namespace AgentAccessBroker.Connectors.Teams.Tests;

/// <summary>A fact that runs only with AAB_LIVE=1 and the named variables set; otherwise xunit reports it skipped, naming what is missing.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class LiveTeamsFactAttribute : FactAttribute
{
    public LiveTeamsFactAttribute(params string[] variables)
    {
        var missing = variables.Where(v => string.IsNullOrEmpty(Environment.GetEnvironmentVariable(v))).ToList();
        if (Environment.GetEnvironmentVariable("AAB_LIVE") != "1")
        {
            missing.Insert(0, "AAB_LIVE=1");
        }

        if (missing.Count > 0)
        {
            Skip = "live Teams test: set " + string.Join(", ", missing);
        }
    }
}
