using System.Collections.Concurrent;
using System.Data.Common;
using System.Reflection;
using Dapper;
using Microsoft.Data.Sqlite;

namespace AgentAccessBroker.Storage;

/// <summary>
/// The SQLite writer's statements, each prepared once on its long-lived connection and reused with new values:
/// preparing a statement costs more than running it, and a grant runs a dozen. Used only by the holder of the writer
/// slot, one statement at a time.
/// </summary>
internal sealed class PreparedStatements(SqliteConnection connection) : IDisposable
{
    // Statement texts are a small fixed set (multi-row audit inserts and IN lists vary only in their count); the bound
    // only guards against a caller that builds unbounded text.
    private const int MaxStatements = 256;
    private static readonly ConcurrentDictionary<Type, PropertyInfo[]> Properties = new();
    private readonly Dictionary<string, SqliteCommand> _commands = new(StringComparer.Ordinal);

    public int Execute(string sql, object? parameters, DbTransaction transaction)
    {
        var command = Prepare(sql, parameters, transaction);
        try
        {
            return command.ExecuteNonQuery();
        }
        finally
        {
            Release(command);
        }
    }

    /// <summary>The first row's values mapped by <paramref name="map"/>, or <paramref name="none"/> without a row.</summary>
    public T QueryRow<T>(string sql, object? parameters, DbTransaction transaction, Func<SqliteDataReader, T> map, T none)
    {
        var command = Prepare(sql, parameters, transaction);
        try
        {
            using var reader = command.ExecuteReader();
            return reader.Read() ? map(reader) : none;
        }
        finally
        {
            Release(command);
        }
    }

    public void Dispose()
    {
        foreach (var command in _commands.Values)
        {
            command.Dispose();
        }

        _commands.Clear();
    }

    private SqliteCommand Prepare(string sql, object? parameters, DbTransaction transaction)
    {
        if (!_commands.TryGetValue(sql, out var command))
        {
            command = connection.CreateCommand();
            command.CommandText = sql;
            command.Transaction = (SqliteTransaction)transaction;
            if (_commands.Count < MaxStatements)
            {
                // Without Prepare() Microsoft.Data.Sqlite compiles the text again on every execution.
                command.Prepare();
                _commands[sql] = command;
            }
        }

        command.Transaction = (SqliteTransaction)transaction;
        command.Parameters.Clear();
        foreach (var (name, value) in Values(parameters))
        {
            command.Parameters.AddWithValue("@" + name, value ?? DBNull.Value);
        }

        return command;
    }

    private void Release(SqliteCommand command)
    {
        if (!_commands.ContainsKey(command.CommandText))
        {
            command.Dispose();
        }
    }

    private static IEnumerable<(string Name, object? Value)> Values(object? parameters) => parameters switch
    {
        null => [],
        DynamicParameters dynamic => dynamic.ParameterNames.Select(n => (n, dynamic.Get<object?>(n))),
        _ => Properties.GetOrAdd(parameters.GetType(), t => t.GetProperties(BindingFlags.Public | BindingFlags.Instance))
            .Select(p => (p.Name, p.GetValue(parameters))),
    };
}
