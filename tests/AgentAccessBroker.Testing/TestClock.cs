namespace AgentAccessBroker.Testing;

/// <summary>The instant every test clock starts at unless a test names its own, so dates in fixtures stay stable.</summary>
public static class TestClock
{
    public static DateTimeOffset Start { get; } = new(2026, 11, 21, 9, 0, 0, TimeSpan.Zero);
}
