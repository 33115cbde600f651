namespace Orchestrator.Cli;

/// <summary>The console a verb writes to and the token that Ctrl-C cancels; tests pass their own writers.</summary>
public sealed record CliContext(TextWriter Out, TextWriter Error, TextReader In, bool InputIsTerminal, TimeProvider Time, CancellationToken Cancellation);
