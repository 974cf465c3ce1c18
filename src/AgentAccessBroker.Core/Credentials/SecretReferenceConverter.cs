using System.ComponentModel;
using System.Globalization;

namespace AgentAccessBroker.Credentials;

/// <summary>
/// Reads a secret reference from configuration text: <c>env:NAME</c> (or <c>environment:NAME</c>) and
/// <c>file:PATH</c>. A bare value is refused, so a secret can never be bound from configuration by mistake; the error
/// never repeats the value.
/// </summary>
public sealed class SecretReferenceConverter : TypeConverter
{
    public override bool CanConvertFrom(ITypeDescriptorContext? context, Type sourceType) =>
        sourceType == typeof(string) || base.CanConvertFrom(context, sourceType);

    public override object? ConvertFrom(ITypeDescriptorContext? context, CultureInfo? culture, object value) =>
        value is string text ? Parse(text) : base.ConvertFrom(context, culture, value);

    /// <summary>Parses <c>env:NAME</c> / <c>file:PATH</c>; null for empty text.</summary>
    public static SecretReference? Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.Length == 0)
        {
            return null;
        }

        var colon = text.IndexOf(':', StringComparison.Ordinal);
        var scheme = colon < 0 ? string.Empty : text[..colon];
        var location = colon < 0 ? string.Empty : text[(colon + 1)..];
        SecretSource? source = scheme switch
        {
            "env" or "environment" => SecretSource.Environment,
            "file" => SecretSource.File,
            _ => null,
        };
        return source is { } s && location.Length > 0
            ? new SecretReference(s, location)
            : throw new FormatException("A secret is given by reference: 'env:VARIABLE' or 'file:/path/to/file', never by value.");
    }
}
