namespace AgentAccessBroker.Storage;

/// <summary>
/// Timestamps and durations are stored as 64-bit 100 ns ticks (UTC for instants) on both engines. PostgreSQL's
/// timestamptz keeps only microseconds, and the audit hash covers the full tick value, so ticks are the one
/// representation that round-trips exactly everywhere and compares correctly in SQL.
/// </summary>
internal static class StoredTime
{
    public static long ToTicks(DateTimeOffset value) => value.UtcTicks;

    public static long? ToTicks(DateTimeOffset? value) => value?.UtcTicks;

    public static DateTimeOffset FromTicks(long ticks) => new(ticks, TimeSpan.Zero);

    public static DateTimeOffset? FromTicks(long? ticks) => ticks is { } t ? FromTicks(t) : null;

    public static long? ToTicks(TimeSpan? value) => value?.Ticks;

    public static TimeSpan? DurationFromTicks(long? ticks) => ticks is { } t ? TimeSpan.FromTicks(t) : null;
}
