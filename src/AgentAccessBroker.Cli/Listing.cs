using System.CommandLine;

namespace AgentAccessBroker.Cli;

/// <summary>
/// How every listing prints: a table by default, <c>--json</c> for the API's own JSON (an array of the same objects,
/// same field names), <c>--quiet</c> for ids only, one per line, for scripts.
/// </summary>
internal sealed class Listing
{
    public Option<bool> Json { get; } = new("--json") { Description = "Print the API's JSON (same field names as /v1)" };

    public Option<bool> Quiet { get; } = new("--quiet", "-q") { Description = "Print only the ids, one per line" };

    public void AddTo(Command command)
    {
        command.Options.Add(Json);
        command.Options.Add(Quiet);
    }

    public void Print<T>(ParseResult result, IReadOnlyList<T> items, IReadOnlyList<TableColumn> columns, Func<T, IReadOnlyList<string?>> row, Func<T, string> id)
    {
        if (result.GetValue(Json))
        {
            Output.Json(items);
        }
        else if (result.GetValue(Quiet))
        {
            foreach (var item in items)
            {
                Output.Line(id(item));
            }
        }
        else
        {
            Output.Table(columns, items.Select(row));
        }
    }
}
