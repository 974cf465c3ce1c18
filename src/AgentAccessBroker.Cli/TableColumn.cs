namespace AgentAccessBroker.Cli;

/// <summary>One column of a <see cref="TextTable"/>. An id column is never shortened: scripts copy ids from tables.</summary>
internal sealed record TableColumn(string Header, bool IsId = false)
{
    public static TableColumn Id(string header) => new(header, IsId: true);

    public static implicit operator TableColumn(string header) => new(header);
}
