using Spectre.Console;
using Spectre.Console.Rendering;

namespace Orchestrator.Cli;

/// <summary>
/// A table of a verb's output, drawn by Spectre: with a rounded border, bold headers and coloured statuses on a terminal;
/// plain elsewhere, a header row and columns padded to their widest cell with two spaces between them and no
/// trailing spaces, which is what scripts and the tests read.
/// </summary>
public sealed class TableView(params string[] headers)
{
    private readonly List<IRenderable[]> _rows = [];

    public int Count => _rows.Count;

    public void Add(params string[] cells)
    {
        ArgumentNullException.ThrowIfNull(cells);
        Add(cells.Select(c => (IRenderable)new Text(c)).ToArray());
    }

    /// <summary>A row whose cells are drawn (a status in colour, a progress bar); their plain form is what they render to without colour.</summary>
    public void Add(params IRenderable[] cells)
    {
        ArgumentNullException.ThrowIfNull(cells);
        if (cells.Length != headers.Length) throw new ArgumentException($"expected {headers.Length} cells, got {cells.Length}", nameof(cells));
        _rows.Add(cells);
    }

    public Table Rich()
    {
        var table = new Table().RoundedBorder().BorderColor(Color.Grey);
        foreach (var header in headers) table.AddColumn(new TableColumn(new Markup($"[bold]{Markup.Escape(header)}[/]")) { NoWrap = false });
        foreach (var row in _rows) table.AddRow(row);
        return table;
    }

    public Table PlainTable()
    {
        var table = new Table().NoBorder();
        table.ShowRowSeparators = false;
        for (var i = 0; i < headers.Length; i++)
        {
            var last = i == headers.Length - 1;
            table.AddColumn(new TableColumn(new Text(headers[i])) { Padding = new Padding(0, 0, last ? 0 : 2, 0), NoWrap = true });
        }
        foreach (var row in _rows) table.AddRow(row);
        return table;
    }

    public override string ToString() => Terminal.Plain(PlainTable());

    /// <summary>A status word in its colour on a terminal (green done, red failed, yellow waiting, blue moving).</summary>
    public static IRenderable Status(string status)
    {
        ArgumentNullException.ThrowIfNull(status);
        var word = status.Split(' ', 2)[0];
        var colour = word switch
        {
            "succeeded" or "healthy" or "online" => "green",
            "failed" or "unhealthy" or "offline" => "red",
            "cancelled" or "skipped" or "unknown" => "grey",
            "waiting" or "degraded" or "queued" or "pending" => "yellow",
            "running" or "ready" => "blue",
            _ => null,
        };
        return colour is null ? new Text(status) : new Markup($"[{colour}]{Markup.Escape(status)}[/]");
    }
}
