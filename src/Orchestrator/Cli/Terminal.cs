using Spectre.Console;
using Spectre.Console.Rendering;

namespace Orchestrator.Cli;

/// <summary>
/// Where a verb's human output goes. Rich (Spectre's colours, borders, live views and progress bars) only when the
/// output is a terminal, <c>NO_COLOR</c> is unset (or empty) and <c>TERM</c> is not <c>dumb</c>; otherwise every line is
/// plain text with no escape sequence at all, so that pipes, files and scripts read what a person would.
/// </summary>
public sealed class Terminal
{
    /// <summary>Wide enough that a plain table never wraps: a pipe has no width, and a wrapped row breaks <c>grep</c>.</summary>
    private const int PlainWidth = 16384;

    public Terminal(CliContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        Out = context.Out;
        IsRich = context.OutputIsTerminal && string.IsNullOrEmpty(context.Variable("NO_COLOR")) && context.Variable("TERM") != "dumb";
        Console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new Output(context.Out, IsRich),
            Ansi = IsRich ? AnsiSupport.Yes : AnsiSupport.No,
            ColorSystem = IsRich ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
            Interactive = IsRich ? InteractionSupport.Yes : InteractionSupport.No,
        });
        if (!IsRich) Console.Profile.Width = PlainWidth;
    }

    /// <summary>How wide help text may be: the screen's on a rich terminal, else a fixed width that asks the console nothing.</summary>
    public static int HelpWidth(CliContext context) => new Terminal(context).IsRich ? Output.ScreenWidth() : 100;

    public bool IsRich { get; }

    public IAnsiConsole Console { get; }

    private TextWriter Out { get; }

    /// <summary>One line of text, never read as markup. Through the console when rich, so that a live view stays below it.</summary>
    public void WriteLine(string text)
    {
        if (IsRich) Console.WriteLine(text);
        else Out.WriteLine(text);
    }

    public void Write(IRenderable renderable) => Console.Write(renderable);

    /// <summary>Text as is (lines end with <c>\n</c>); never read as markup.</summary>
    public void WriteText(string text)
    {
        if (IsRich) Console.Write(new Text(text));
        else Out.Write(text);
    }

    /// <summary>A table: bordered and coloured when rich, else its plain form.</summary>
    public void Write(TableView table)
    {
        ArgumentNullException.ThrowIfNull(table);
        if (IsRich) Console.Write(table.Rich());
        else Out.Write(table.ToString());
    }

    /// <summary>A run's header and step table (with progress bars when rich).</summary>
    public void WriteRun(System.Text.Json.Nodes.JsonNode run, DateTimeOffset now)
    {
        if (IsRich) Console.Write(RunView.Renderable(run, now, rich: true));
        else Out.Write(RunView.Full(run, now));
    }

    /// <summary>Renders without any escape sequence and with no trailing spaces: the plain form of tables and views.</summary>
    public static string Plain(IRenderable renderable)
    {
        using var text = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new Output(text, terminal: false), Ansi = AnsiSupport.No, ColorSystem = ColorSystemSupport.NoColors, Interactive = InteractionSupport.No,
        });
        console.Profile.Width = PlainWidth;
        console.Write(renderable);
        var lines = text.ToString().Replace("\r", "", StringComparison.Ordinal).Split('\n').Select(l => l.TrimEnd()).ToList();
        while (lines.Count > 0 && lines[^1].Length == 0) lines.RemoveAt(lines.Count - 1);
        return lines.Count == 0 ? "" : string.Join('\n', lines) + "\n";
    }

    /// <summary>Spectre's output over our writer. Off a rich terminal it never asks System.Console anything: reading the
    /// window's size makes .NET initialise the terminal, which writes escape sequences (keypad mode).</summary>
    private sealed class Output(TextWriter writer, bool terminal) : IAnsiConsoleOutput
    {
        public TextWriter Writer => writer;
        public bool IsTerminal => terminal;
        public int Width => terminal ? ScreenWidth() : PlainWidth;
        public int Height => terminal ? ScreenHeight() : 24;

        public void SetEncoding(System.Text.Encoding encoding)
        {
            // Our writers are UTF-8 already.
        }

        public static int ScreenWidth()
        {
            try
            {
                return System.Console.WindowWidth is > 0 and var width ? width : 80;
            }
            catch (IOException)
            {
                return 80;
            }
        }

        private static int ScreenHeight()
        {
            try
            {
                return System.Console.WindowHeight is > 0 and var height ? height : 24;
            }
            catch (IOException)
            {
                return 24;
            }
        }
    }
}
