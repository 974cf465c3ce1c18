using System.Globalization;
using System.Text;
using System.Xml;
using AgentAccessBroker.Brokering;
using AgentAccessBroker.Domain;
using AgentAccessBroker.Policy;

namespace AgentAccessBroker.Server.Http;

/// <summary>
/// Validation at the HTTP edge, in one place: query filters accept only their documented names (never a number, never
/// a list), durations are range-checked before they become a <see cref="TimeSpan"/>, and lists carry no nulls. Every
/// refusal is a <see cref="BrokerError"/> (a 400 with a stable code), so bad input never reaches a 500.
/// </summary>
internal static class EdgeInput
{
    /// <summary>No duration the broker accepts anywhere is longer; anything above is refused before conversion.</summary>
    public static readonly TimeSpan LongestDuration = TimeSpan.FromDays(366);

    public const int MaxScopeHints = 50;
    public const int MaxScopeHintLength = 256;
    public const int MaxEnvironmentLength = 64;

    private const int MaxDurationText = 40;

    private static readonly Dictionary<string, RequestStatus> RequestStatuses = NamesOf<RequestStatus>();
    private static readonly Dictionary<string, LeaseState> LeaseStates = NamesOf<LeaseState>();
    private static readonly Dictionary<string, TaskState> TaskStates = NamesOf<TaskState>();

    /// <summary>The live lease states, asked for with <c>state=live</c>.</summary>
    private static readonly LeaseState[] Live = [LeaseState.Minting, LeaseState.Active, LeaseState.Revoking, LeaseState.RevocationFailed];

    public static RequestStatus? RequestStatusFilter(string? text) =>
        string.IsNullOrEmpty(text) ? null
        : RequestStatuses.TryGetValue(text, out var status) ? status
        : throw BrokerError.Invalid("invalid_status", $"status is one of {string.Join(", ", RequestStatuses.Keys)}.");

    public static IReadOnlyCollection<LeaseState>? LeaseStateFilter(string? text) =>
        string.IsNullOrEmpty(text) ? null
        : text == "live" ? Live
        : LeaseStates.TryGetValue(text, out var state) ? [state]
        : throw BrokerError.Invalid("invalid_state", $"state is live or one of {string.Join(", ", LeaseStates.Keys)}.");

    public static TaskState? TaskStateFilter(string? text) =>
        string.IsNullOrEmpty(text) ? null
        : TaskStates.TryGetValue(text, out var state) ? state
        : throw BrokerError.Invalid("invalid_state", $"state is one of {string.Join(", ", TaskStates.Keys)}.");

    /// <summary>
    /// Parses an API duration: <c>15m</c>, <c>1h30m</c>, <c>900s</c>, or ISO-8601 <c>PT15M</c>. Values above
    /// <see cref="LongestDuration"/> (including ones beyond <see cref="TimeSpan"/>'s range) and values that are not
    /// positive are refused with <c>invalid_duration</c>.
    /// </summary>
    public static TimeSpan Duration(string? text, string name = "duration")
    {
        if (text is { Length: > 0 and <= MaxDurationText } && (PolicyDuration.TryParse(text, out var parsed) || TryParseIso(text, out parsed)))
        {
            return parsed > TimeSpan.Zero && parsed <= LongestDuration
                ? parsed
                : throw BrokerError.Invalid("invalid_duration", $"The {name} must be more than zero and at most {LongestDuration.TotalDays:0} days.");
        }

        throw BrokerError.Invalid("invalid_duration", $"The {name} is not a duration: write 15m, 1h30m, 900s or PT15M.");
    }

    /// <summary>Refuses a missing list, a null or blank element, too many elements or too long ones.</summary>
    public static IReadOnlyList<string> List(IReadOnlyList<string?>? values, string name, int max, int maxLength, bool required)
    {
        if (values is null || values.Count == 0)
        {
            return required ? throw BrokerError.Invalid($"missing_{name}", $"List at least one of the {name}.") : [];
        }

        if (values.Count > max)
        {
            throw BrokerError.Invalid($"too_many_{name}", $"At most {max} {name}.");
        }

        if (values.Any(v => string.IsNullOrWhiteSpace(v) || v.Length > maxLength))
        {
            throw BrokerError.Invalid($"invalid_{name}", $"Each of the {name} must be a non-empty string of at most {maxLength} characters (no nulls).");
        }

        return values!;
    }

    /// <summary>An optional short text: null stays null, anything longer than <paramref name="maxLength"/> is refused.</summary>
    public static string? Optional(string? value, string name, int maxLength) =>
        value is null || value.Length <= maxLength ? value : throw BrokerError.Invalid($"invalid_{name}", $"The {name} is at most {maxLength} characters.");

    /// <summary>
    /// An ISO-8601 duration (<c>PnDTnHnMnS</c>), range-checked field by field before anything is converted, so a value
    /// beyond <see cref="TimeSpan"/>'s range is refused instead of overflowing.
    /// </summary>
    private static bool TryParseIso(string text, out TimeSpan duration)
    {
        duration = TimeSpan.Zero;
        if (text[0] != 'P')
        {
            return false;
        }

        // Whole-number fields with at most 6 digits and at most 9 fraction digits of seconds keep every value far
        // inside TimeSpan's range (999,999 days < 10.6 million days), so XmlConvert cannot overflow.
        var digits = 0;
        var fraction = false;
        foreach (var c in text.AsSpan(1))
        {
            if (char.IsAsciiDigit(c))
            {
                if (++digits > (fraction ? 9 : 6))
                {
                    return false;
                }
            }
            else if (c == '.' && !fraction)
            {
                fraction = true;
                digits = 0;
            }
            else if (c is 'Y' or 'M' or 'W' or 'D' or 'T' or 'H' or 'S')
            {
                digits = 0;
                fraction = false;
            }
            else
            {
                return false;
            }
        }

        try
        {
            duration = XmlConvert.ToTimeSpan(text);
            return true;
        }
        catch (Exception exception) when (exception is FormatException or OverflowException)
        {
            return false;
        }
    }

    private static Dictionary<string, T> NamesOf<T>()
        where T : struct, Enum =>
        Enum.GetValues<T>().ToDictionary(Snake, v => v, StringComparer.Ordinal);

    private static string Snake<T>(T value)
        where T : struct, Enum
    {
        var name = value.ToString();
        var builder = new StringBuilder(name.Length + 4);
        for (var i = 0; i < name.Length; i++)
        {
            if (char.IsUpper(name[i]) && i > 0)
            {
                builder.Append('_');
            }

            builder.Append(char.ToLower(name[i], CultureInfo.InvariantCulture));
        }

        return builder.ToString();
    }
}
