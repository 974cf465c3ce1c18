namespace AgentAccessBroker.Cli;

/// <summary>
/// One column of a <see cref="TextTable"/>. A fixed column (ids, times, numbers) is never shortened: scripts copy ids
/// from tables. A text column may shrink to <see cref="MinWidth"/>, its cells ending in '…'. A column with a
/// <see cref="DropOrder"/> above zero is left out when the table would not fit otherwise, lowest order first.
/// </summary>
internal sealed record TableColumn(string Header, bool Fixed, int MinWidth, int DropOrder)
{
    public static TableColumn Id(string header) => new(header, Fixed: true, MinWidth: 0, DropOrder: 0);

    public static TableColumn Exact(string header, int dropOrder = 0) => new(header, Fixed: true, MinWidth: 0, DropOrder: dropOrder);

    public static TableColumn Text(string header, int minWidth = 8, int dropOrder = 0) => new(header, Fixed: false, minWidth, dropOrder);

    public static implicit operator TableColumn(string header) => Text(header);
}
