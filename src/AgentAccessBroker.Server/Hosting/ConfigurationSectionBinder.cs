using System.Reflection;

namespace AgentAccessBroker.Server.Hosting;

/// <summary>
/// Binds a section key by key and reports every key it cannot use (unknown, or not convertible to its property's type)
/// instead of stopping at the first, so start-up can list every configuration problem at once.
/// </summary>
internal static class ConfigurationSectionBinder
{
    /// <summary>Sets each writable property of <paramref name="target"/> the section names; problems are added as <c>Section:Key: why</c>.</summary>
    public static void Bind(IConfigurationSection section, object target, ICollection<string> problems)
    {
        ArgumentNullException.ThrowIfNull(section);
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(problems);
        var properties = target.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanWrite).ToDictionary(p => p.Name, StringComparer.OrdinalIgnoreCase);
        foreach (var child in section.GetChildren())
        {
            if (!properties.TryGetValue(child.Key, out var property))
            {
                problems.Add($"{child.Path}: unknown key; known keys: {string.Join(", ", properties.Keys.Order(StringComparer.Ordinal))}.");
                continue;
            }

            if (IsSecretValue(property))
            {
                // Never bound, and the value never repeated: a secret in a configuration file is exactly what must not exist.
                problems.Add($"{child.Path}: is a secret and is not taken as a value; give it by reference ({property.Name}Ref: env:NAME or file:PATH).");
                continue;
            }

            try
            {
                // Nested options bind onto a copy of the current value, so their defaults survive a partial section.
                var current = property.GetValue(target);
                object? value;
                if (child.Value is null && current is not null && !IsScalar(property.PropertyType))
                {
                    Bind(child, current, problems);
                    value = current;
                }
                else
                {
                    value = child.Get(property.PropertyType, o => o.ErrorOnUnknownConfiguration = true);
                }

                property.SetValue(target, value);
            }
            catch (InvalidOperationException ex)
            {
                // The binder's message names the key and type; the converter's inner message never holds the value of a secret.
                problems.Add($"{child.Path}: {(ex.InnerException ?? ex).Message}");
            }
        }
    }

    private static bool IsSecretValue(PropertyInfo property) =>
        property.PropertyType == typeof(string)
        && (property.Name.Contains("Secret", StringComparison.OrdinalIgnoreCase) || property.Name.Contains("Password", StringComparison.OrdinalIgnoreCase)
            || property.Name.Contains("ConnectionString", StringComparison.OrdinalIgnoreCase) || property.Name.EndsWith("Token", StringComparison.OrdinalIgnoreCase));

    private static bool IsScalar(Type type)
    {
        var underlying = Nullable.GetUnderlyingType(type) ?? type;
        return underlying.IsPrimitive || underlying.IsEnum || underlying == typeof(string) || underlying == typeof(TimeSpan) || underlying == typeof(Uri)
            || underlying == typeof(decimal) || System.ComponentModel.TypeDescriptor.GetConverter(underlying).CanConvertFrom(typeof(string));
    }
}
