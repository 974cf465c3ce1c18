using AgentAccessBroker.Domain;

namespace AgentAccessBroker.IntentAnalysis.Scoring;

/// <summary>How classes, sensitivities and durations read in explanations.</summary>
internal static class Words
{
    public static string Of(ActionClass c) => c switch
    {
        ActionClass.Read => "read",
        ActionClass.Write => "write",
        ActionClass.Destructive => "delete",
        ActionClass.PrivilegeChange => "permission-changing",
        _ => "wildcard (*)",
    };

    public static string Of(Sensitivity s) => s switch
    {
        Sensitivity.Low => "low",
        Sensitivity.Medium => "medium",
        Sensitivity.High => "high",
        _ => "critical",
    };

    public static string Of(TimeSpan d) => Policy.PolicyDuration.Format(d);

    public static string Ordinal(int n) => n switch
    {
        1 => "first",
        2 => "second",
        3 => "third",
        4 => "fourth",
        5 => "fifth",
        _ when n % 100 is 11 or 12 or 13 => n + "th",
        _ when n % 10 == 1 => n + "st",
        _ when n % 10 == 2 => n + "nd",
        _ when n % 10 == 3 => n + "rd",
        _ => n + "th",
    };

    /// <summary>At most two names, then a count: "a, b and 3 more".</summary>
    public static string List(IReadOnlyList<string> names)
    {
        return names.Count switch
        {
            0 => string.Empty,
            1 => names[0],
            2 => names[0] + " and " + names[1],
            _ => $"{names[0]}, {names[1]} and {names.Count - 2} more",
        };
    }
}
