using System.Globalization;
using AgentAccessBroker.Brokering;

namespace AgentAccessBroker.Storage;

/// <summary>
/// Keyset cursors for listings ordered by (created, id): a page ends at its last row, and the next page starts after
/// it, so rows added or changed meanwhile are neither skipped nor repeated. The text is opaque to callers.
/// </summary>
public static class ListCursor
{
    public static string Of(DateTimeOffset createdAt, string id) => createdAt.UtcTicks.ToString(CultureInfo.InvariantCulture) + "." + id;

    /// <summary>Reads a cursor; a malformed one is the caller's mistake (<c>invalid_cursor</c>).</summary>
    public static (DateTimeOffset CreatedAt, string Id) Parse(string cursor)
    {
        var dot = cursor.IndexOf('.', StringComparison.Ordinal);
        if (dot <= 0 || dot == cursor.Length - 1 || cursor.Length > 200
            || !long.TryParse(cursor.AsSpan(0, dot), NumberStyles.None, CultureInfo.InvariantCulture, out var ticks)
            || ticks > DateTimeOffset.MaxValue.UtcTicks)
        {
            throw BrokerError.Invalid("invalid_cursor", "The cursor is not one the broker returned; start again without it.");
        }

        return (new DateTimeOffset(ticks, TimeSpan.Zero), cursor[(dot + 1)..]);
    }
}
