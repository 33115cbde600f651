using System.CommandLine;
using System.CommandLine.Invocation;
using System.Runtime.CompilerServices;

[assembly: InternalsVisibleTo("EndToEnd.Tests")]

namespace Orchestrator.Cli;

/// <summary>
/// The client half of the <c>orchestrator</c> program: every verb that talks to a running service, parsed by
/// System.CommandLine (help, <c>[suggest]</c> completions) and drawn by Spectre.Console.
/// Exit codes: 0 success, 1 the server refused or failed (or a followed run did not succeed, or the server is
/// unreachable), 2 the command line is wrong, 130 interrupted.
/// </summary>
public static class CliApp
{
    public static async Task<int> RunAsync(string[] args)
    {
        using var interrupted = new CancellationTokenSource();
        // First Ctrl-C stops the verb cleanly; a second one ends the process the default way. A signal registration
        // rather than Console.CancelKeyPress, and stdin opened only when read: either of those makes .NET set up the
        // terminal, which writes escape sequences (keypad mode) even where output must have none (NO_COLOR).
        using var onInterrupt = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGINT, signal =>
        {
            signal.Cancel = !interrupted.IsCancellationRequested;
            interrupted.Cancel();
        });
        // File descriptors 1 and 2 themselves, not Console.Out/Error: the first write through those does the same.
        await using var stdout = StandardStream(1);
        await using var stderr = StandardStream(2);
        var context = new CliContext(stdout, stderr, new LazyReader(() => Console.In), !Console.IsInputRedirected, TimeProvider.System, interrupted.Token)
        {
            OutputIsTerminal = !Console.IsOutputRedirected,
        };
        return await RunAsync(args, context);
    }

    private static StreamWriter StandardStream(int descriptor) =>
        new(new FileStream(new Microsoft.Win32.SafeHandles.SafeFileHandle(descriptor, ownsHandle: false), FileAccess.Write, bufferSize: 0),
            new System.Text.UTF8Encoding(false)) { AutoFlush = true };

    private sealed class LazyReader(Func<TextReader> open) : TextReader
    {
        private readonly Lazy<TextReader> _reader = new(open);

        public override int Peek() => _reader.Value.Peek();
        public override int Read() => _reader.Value.Read();
        public override int Read(char[] buffer, int index, int count) => _reader.Value.Read(buffer, index, count);
        public override string? ReadLine() => _reader.Value.ReadLine();
        public override string ReadToEnd() => _reader.Value.ReadToEnd();
    }

    public static async Task<int> RunAsync(string[] args, CliContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        try
        {
            var root = CommandTree.Build(context);
            foreach (var help in root.Options.OfType<System.CommandLine.Help.HelpOption>())
                if (help.Action is System.CommandLine.Help.HelpAction action) action.MaxWidth = Terminal.HelpWidth(context);
            var parse = root.Parse(args);
            if (parse.Errors.Count > 0 && parse.Action is not CommandLineAction { ClearsParseErrors: true })
                throw new UsageException(Describe(parse), HelpHint(parse));
            // A command that only groups others (`runs`, `webhooks bindings`) shows its help when called alone.
            if (parse.Action is null)
                throw new UsageException($"'{parse.CommandResult.Command.Name}' needs a subcommand: {string.Join(", ", parse.CommandResult.Command.Subcommands.Select(c => c.Name))}",
                    HelpHint(parse));
            return await parse.InvokeAsync(new InvocationConfiguration
            {
                Output = context.Out,
                Error = context.Error,
                EnableDefaultExceptionHandler = false,
                ProcessTerminationTimeout = null,
            }, context.Cancellation);
        }
        catch (UsageException e)
        {
            await context.Error.WriteLineAsync($"error: {e.Message}");
            await context.Error.WriteLineAsync(e.Hint ?? "run `orchestrator --help` for usage");
            return 2;
        }
        catch (ApiProblemException e)
        {
            var fieldErrors = e.Errors.SelectMany(f => f.Value.Select(message => $"{f.Key}: {message}")).ToList();
            // A detail that merely repeats a field error is left out: each problem is shown once.
            var detail = e.Detail is { } d && !(fieldErrors.Any(l => d.Contains(l, StringComparison.Ordinal))) ? d : null;
            await context.Error.WriteLineAsync(detail is null ? $"error: {e.Title}" : $"error: {e.Title}: {detail}");
            foreach (var line in fieldErrors) await context.Error.WriteLineAsync("  " + line);
            if (e.Status == 401) await context.Error.WriteLineAsync("the token was not accepted: run `orchestrator login --server URL` or set ORCHESTRATOR_TOKEN");
            return 1;
        }
        catch (ServerUnreachableException e)
        {
            await context.Error.WriteLineAsync($"error: {e.Message}");
            await context.Error.WriteLineAsync("check --server / ORCHESTRATOR_URL and that the service runs (orchestrator status)");
            return 1;
        }
        catch (OperationCanceledException) when (context.Cancellation.IsCancellationRequested)
        {
            await context.Error.WriteLineAsync("interrupted");
            return 130;
        }
    }

    /// <summary>The parse errors in one line; a missing subcommand names the ones there are, and is left out beside an unknown word.</summary>
    private static string Describe(ParseResult parse)
    {
        var command = parse.CommandResult.Command;
        var messages = parse.Errors.Select(e => e.Message).Distinct(StringComparer.Ordinal).ToList();
        var missing = messages.Where(m => m.StartsWith("Required command was not provided", StringComparison.Ordinal)).ToList();
        messages.RemoveAll(missing.Contains);
        if (messages.Count == 0 && missing.Count > 0)
            return $"{(command is RootCommand ? "orchestrator" : $"'{command.Name}'")} needs a subcommand: {string.Join(", ", command.Subcommands.Select(c => c.Name))}";
        return string.Join("; ", messages.Select(m => m.TrimEnd('.')));
    }

    private static string HelpHint(ParseResult parse)
    {
        var path = new List<string>();
        for (var result = parse.CommandResult; result is not null; result = result.Parent as System.CommandLine.Parsing.CommandResult)
            if (result.Command is not RootCommand) path.Insert(0, result.Command.Name);
        return $"run `orchestrator {string.Join(' ', path.Append("--help"))}` for usage";
    }
}
