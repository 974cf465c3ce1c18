namespace AgentAccessBroker.IntentAnalysis.Review;

/// <summary>What the outside reviewer thinks of a request. Ordered: a higher value is more cautious.</summary>
public enum OutsideVerdict
{
    /// <summary>Purpose, task and request fit together: the analyzer's decision stands.</summary>
    Consistent = 0,

    /// <summary>Something does not fit: a human decides.</summary>
    Suspicious = 1,

    /// <summary>The request looks like abuse: it is denied.</summary>
    Malicious = 2,
}
