namespace AgentAccessBroker.Connectors.PostgreSql;

/// <summary>
/// Client-side quoting for DDL, which cannot take bind parameters. Every name and literal that reaches a statement
/// goes through here.
/// </summary>
internal static class PostgresQuoting
{
    /// <summary>A double-quoted identifier: taken literally by the server (no case folding, no keyword meaning).</summary>
    public static string Identifier(string name)
    {
        RejectNul(name, nameof(name));
        return "\"" + name.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
    }

    /// <summary>A schema-qualified name, each part quoted.</summary>
    public static string Qualified(string schema, string name) => Identifier(schema) + "." + Identifier(name);

    /// <summary>
    /// An escape-string literal. The <c>E''</c> form is used always, with backslashes doubled, so the result means the
    /// same thing whatever <c>standard_conforming_strings</c> is set to on the server (a plain <c>''</c> literal
    /// containing a backslash changes meaning when that setting is off).
    /// </summary>
    public static string Literal(string value)
    {
        RejectNul(value, nameof(value));
        return "E'" + value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("'", "''", StringComparison.Ordinal) + "'";
    }

    private static void RejectNul(string value, string parameter)
    {
        // PostgreSQL text cannot hold NUL; refusing it here keeps a truncated name from ever reaching the server.
        if (value.Contains('\0', StringComparison.Ordinal))
        {
            throw new ArgumentException("PostgreSQL names and literals cannot contain a NUL character.", parameter);
        }
    }
}
