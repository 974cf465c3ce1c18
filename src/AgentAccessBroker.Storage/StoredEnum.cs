using System.Collections.Frozen;
using System.Text;

namespace AgentAccessBroker.Storage;

/// <summary>
/// Enums are stored as snake_case names (<c>revocation_failed</c>), not numbers, so the rows read well to an operator
/// and a reordered enum can never silently change what a stored row means.
/// </summary>
internal static class StoredEnum<TEnum>
    where TEnum : struct, Enum
{
    private static readonly FrozenDictionary<TEnum, string> Names =
        Enum.GetValues<TEnum>().ToFrozenDictionary(v => v, v => ToSnakeCase(v.ToString()));

    private static readonly FrozenDictionary<string, TEnum> Values =
        Names.ToFrozenDictionary(p => p.Value, p => p.Key, StringComparer.Ordinal);

    public static string ToText(TEnum value) =>
        Names.TryGetValue(value, out var name) ? name : throw new ArgumentOutOfRangeException(nameof(value), value, $"Not a defined {typeof(TEnum).Name}.");

    public static TEnum Parse(string text) =>
        Values.TryGetValue(text, out var value) ? value : throw new InvalidDataException($"Stored {typeof(TEnum).Name} '{text}' is not known to this version.");

    private static string ToSnakeCase(string name)
    {
        var builder = new StringBuilder(name.Length + 4);
        for (var i = 0; i < name.Length; i++)
        {
            if (char.IsUpper(name[i]) && i > 0)
            {
                builder.Append('_');
            }

            builder.Append(char.ToLowerInvariant(name[i]));
        }

        return builder.ToString();
    }
}
