using AgentAccessBroker.Cli;

namespace AgentAccessBroker.Server.Tests;

/// <summary>The CLI's table layout: within the width, ids whole, one line per row.</summary>
public sealed class TextTableTests
{
    private static readonly TableColumn[] Columns =
    [
        TableColumn.Id("id"), TableColumn.Text("agent", dropOrder: 2), TableColumn.Text("resources", 12), TableColumn.Exact("created", dropOrder: 1), TableColumn.Text("purpose", 10),
    ];

    private static readonly IReadOnlyList<string?>[] Rows =
    [
        ["req_3rbjggwdvnakx6yh", "billing-bot", "app.public.invoices app.public.customers", "2026-12-07T11:58:55Z", "Read invoices to find why the billing export drops totals"],
        ["req_s4abyr4l2uxnqfzv", "billing-bot", "app.hr.salaries", "2026-12-07T11:58:56Z", "total the salaries"],
    ];

    [Fact]
    public void Layout_RowsWiderThan80_FitIn80WithIdsWhole()
    {
        var lines = TextTable.Layout(Columns, Rows, 80);

        Assert.All(lines, line => Assert.True(line.Length <= 80, line));
        Assert.StartsWith("req_3rbjggwdvnakx6yh  ", lines[1], StringComparison.Ordinal);
        Assert.StartsWith("req_s4abyr4l2uxnqfzv  ", lines[2], StringComparison.Ordinal);
        Assert.Contains("…", lines[1], StringComparison.Ordinal);
    }

    [Fact]
    public void Layout_WideEnough_ShowsEveryColumnUncut()
    {
        var lines = TextTable.Layout(Columns, Rows, 250);

        Assert.Contains("Read invoices to find why the billing export drops totals", lines[1], StringComparison.Ordinal);
        Assert.Contains("2026-12-07T11:58:55Z", lines[1], StringComparison.Ordinal);
        Assert.DoesNotContain("…", string.Concat(lines), StringComparison.Ordinal);
    }

    [Fact]
    public void Layout_TooNarrowForTheOptionalColumns_DropsThemBeforeCuttingTimes()
    {
        var lines = TextTable.Layout(Columns, Rows, 60);

        Assert.DoesNotContain("created", lines[0], StringComparison.Ordinal);
        Assert.DoesNotContain("2026-12-07T11:5", lines[1], StringComparison.Ordinal);
        Assert.All(lines, line => Assert.True(line.Length <= 60, line));
    }

    [Fact]
    public void Layout_IdsAloneWiderThanTheWidth_OverflowsRatherThanSplittingAnId()
    {
        var lines = TextTable.Layout(Columns, Rows, 10);

        Assert.Equal(3, lines.Count);
        Assert.StartsWith("req_3rbjggwdvnakx6yh", lines[1], StringComparison.Ordinal);
    }

    [Fact]
    public void Layout_CellWithLineBreak_StaysOnOneLine()
    {
        var lines = TextTable.Layout(Columns, [["req_1", "bot", "x", "2026-12-07T11:58:55Z", "first\nsecond\u001b[31m"]], 200);

        Assert.Equal(2, lines.Count);
        Assert.DoesNotContain('\u001b', lines[1]);
    }

    [Theory]
    [InlineData("120", true, 120)]
    [InlineData(null, true, 80)]
    [InlineData("", false, 132)]
    [InlineData("abc", true, 80)]
    public void TerminalWidth_ColumnsAndRedirection_PicksTheDocumentedWidth(string? columns, bool redirected, int expected)
    {
        Assert.Equal(expected, TextTable.TerminalWidth(columns, redirected, () => 132));
    }
}
