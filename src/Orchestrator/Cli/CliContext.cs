namespace Orchestrator.Cli;

/// <summary>The console a verb writes to and the token that Ctrl-C cancels; tests pass their own writers.
/// <see cref="OutputIsTerminal"/> is true only when <see cref="Out"/> is a terminal: only then are colours, tables with
/// borders, live views and progress bars drawn (and never with <c>NO_COLOR</c> set, see <see cref="Terminal"/>).</summary>
public sealed record CliContext(TextWriter Out, TextWriter Error, TextReader In, bool InputIsTerminal, TimeProvider Time, CancellationToken Cancellation)
{
    public bool OutputIsTerminal { get; init; }

    /// <summary>The variables the CLI reads (<c>NO_COLOR</c>, <c>TERM</c>); the process's own when null.</summary>
    public Func<string, string?> Variable { get; init; } = Environment.GetEnvironmentVariable;
}
