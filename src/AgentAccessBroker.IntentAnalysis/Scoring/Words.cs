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

    public static string Of(TimeSpan d)
    {
        if (d.TotalDays >= 1 && d.TotalHours % 24 == 0)
        {
            return $"{(int)d.TotalDays}d";
        }

        if (d.TotalHours >= 1 && d.TotalMinutes % 60 == 0)
        {
            return $"{(int)d.TotalHours}h";
        }

        if (d.TotalMinutes >= 1 && d.TotalSeconds % 60 == 0)
        {
            return d.TotalMinutes >= 60 ? $"{(int)d.TotalHours}h{d.Minutes}m" : $"{(int)d.TotalMinutes}m";
        }

        return $"{(int)d.TotalSeconds}s";
    }

    public static string Ordinal(int n) => n switch
    {
        1 => "first",
        2 => "second",
        3 => "third",
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
