using Dapper;

namespace AgentAccessBroker.Storage;

/// <summary>
/// Builds a WHERE clause from optional filters with bound parameters only. Sets are expanded into one parameter per
/// value by hand: Dapper passes lists to Npgsql as arrays (which <c>IN</c> does not accept) but expands them for SQLite.
/// </summary>
internal sealed class SqlFilter
{
    private readonly List<string> _conditions = [];

    public DynamicParameters Parameters { get; } = new();

    public string WhereClause => _conditions.Count == 0 ? string.Empty : " WHERE " + string.Join(" AND ", _conditions);

    /// <summary>Adds <c>column = @name</c> unless <paramref name="value"/> is null.</summary>
    public SqlFilter Equal(string column, object? value) => value is null ? this : Add($"{column} = @{Bind(value)}");

    /// <summary>Adds <c>column op @p</c> unless <paramref name="value"/> is null.</summary>
    public SqlFilter Compare(string column, string op, object? value) => value is null ? this : Add($"{column} {op} @{Bind(value)}");

    /// <summary>Adds <c>column IN (...)</c> unless <paramref name="values"/> is null or empty.</summary>
    public SqlFilter In(string column, IEnumerable<string>? values)
    {
        var names = values?.Distinct(StringComparer.Ordinal).Select(v => "@" + Bind(v)).ToList();
        return names is null || names.Count == 0 ? this : Add($"{column} IN ({string.Join(", ", names)})");
    }

    /// <summary>Adds a condition written by the caller, whose values were bound with <see cref="Bind"/>.</summary>
    public SqlFilter Where(string condition) => Add(condition);

    /// <summary>Binds a value for a condition written by the caller and returns its parameter name (without <c>@</c>).</summary>
    public string Bind(object? value)
    {
        var name = "f" + Parameters.ParameterNames.Count();
        Parameters.Add(name, value);
        return name;
    }

    private SqlFilter Add(string condition)
    {
        _conditions.Add(condition);
        return this;
    }
}
