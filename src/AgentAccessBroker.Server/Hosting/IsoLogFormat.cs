using System.Globalization;

namespace AgentAccessBroker.Server.Hosting;

/// <summary>
/// How log sinks render values: times as ISO 8601 (<c>2026-12-07T12:13:55.1779638+00:00</c>) instead of the invariant
/// culture's month-first <c>12/07/2026 12:13:55</c>; everything else as the invariant culture does.
/// </summary>
internal sealed class IsoLogFormat : IFormatProvider, ICustomFormatter
{
    public static readonly IsoLogFormat Instance = new();

    public object? GetFormat(Type? formatType) => formatType == typeof(ICustomFormatter) ? this : CultureInfo.InvariantCulture.GetFormat(formatType);

    public string Format(string? format, object? arg, IFormatProvider? formatProvider) => arg switch
    {
        DateTimeOffset time => time.ToString(string.IsNullOrEmpty(format) ? "O" : format, CultureInfo.InvariantCulture),
        DateTime time => time.ToString(string.IsNullOrEmpty(format) ? "O" : format, CultureInfo.InvariantCulture),
        IFormattable formattable => formattable.ToString(format, CultureInfo.InvariantCulture),
        _ => arg?.ToString() ?? string.Empty,
    };
}
