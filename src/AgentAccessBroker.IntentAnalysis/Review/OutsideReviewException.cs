namespace AgentAccessBroker.IntentAnalysis.Review;

/// <summary>The reviewer failed or answered something unreadable. Its message never contains credentials.</summary>
public sealed class OutsideReviewException : Exception
{
    public OutsideReviewException(string message)
        : base(message)
    {
    }

    public OutsideReviewException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
