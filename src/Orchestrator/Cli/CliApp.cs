using System.Runtime.CompilerServices;

[assembly: InternalsVisibleTo("EndToEnd.Tests")]

namespace Orchestrator.Cli;

/// <summary>
/// The client half of the <c>orchestrator</c> program: every verb that talks to a running service.
/// Exit codes: 0 success, 1 the server refused or failed (or a followed run did not succeed, or the server is
/// unreachable), 2 the command line is wrong, 130 interrupted.
/// </summary>
public static class CliApp
{
    public static async Task<int> RunAsync(string[] args)
    {
        using var interrupted = new CancellationTokenSource();
        // First Ctrl-C stops the verb cleanly; a second one ends the process the default way.
        ConsoleCancelEventHandler onCancel = (_, e) =>
        {
            e.Cancel = !interrupted.IsCancellationRequested;
            interrupted.Cancel();
        };
        Console.CancelKeyPress += onCancel;
        try
        {
            var context = new CliContext(Console.Out, Console.Error, Console.In, !Console.IsInputRedirected, TimeProvider.System, interrupted.Token);
            return await RunAsync(args, context);
        }
        finally
        {
            Console.CancelKeyPress -= onCancel;
        }
    }

    public static async Task<int> RunAsync(string[] args, CliContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        try
        {
            if (args is [] or ["help"] or ["--help"] or ["-h"] || args.Contains("--help") || args.Contains("-h"))
            {
                await context.Out.WriteAsync(Usage.Text);
                return 0;
            }
            return await DispatchAsync(args, context);
        }
        catch (UsageException e)
        {
            await context.Error.WriteLineAsync($"error: {e.Message}");
            await context.Error.WriteLineAsync("run `orchestrator help` for usage");
            return 2;
        }
        catch (ApiProblemException e)
        {
            var fieldErrors = e.Errors.SelectMany(f => f.Value.Select(message => $"{f.Key}: {message}")).ToList();
            // A detail that merely repeats a field error is left out: each problem is shown once.
            var detail = e.Detail is { } d && !(fieldErrors.Any(l => d.Contains(l, StringComparison.Ordinal))) ? d : null;
            await context.Error.WriteLineAsync(detail is null ? $"error: {e.Title}" : $"error: {e.Title}: {detail}");
            foreach (var line in fieldErrors) await context.Error.WriteLineAsync("  " + line);
            return 1;
        }
        catch (ServerUnreachableException e)
        {
            await context.Error.WriteLineAsync($"error: {e.Message}");
            return 1;
        }
        catch (OperationCanceledException) when (context.Cancellation.IsCancellationRequested)
        {
            await context.Error.WriteLineAsync("interrupted");
            return 130;
        }
    }

    private static Task<int> DispatchAsync(string[] args, CliContext context) => args switch
    {
        ["login", .. var rest] => LoginCommand.RunAsync(rest, context),
        ["apply", .. var rest] => RolloutCommands.ApplyAsync(rest, context),
        ["plan", .. var rest] => RolloutCommands.PlanAsync(rest, context),
        ["runs", .. var rest] => RunsCommands.RunAsync(rest, context),
        ["rollouts", .. var rest] => CanaryCommands.RunAsync(rest, context),
        ["environments", .. var rest] => ListCommands.EnvironmentsAsync(rest, context),
        ["runners", .. var rest] => ListCommands.RunnersAsync(rest, context),
        ["webhooks", .. var rest] => WebhookCommands.RunAsync(rest, context),
        ["schedules", .. var rest] => ScheduleCommands.RunAsync(rest, context),
        ["generate", .. var rest] => GenerateCommand.RunAsync(rest, context),
        [var verb, ..] => throw new UsageException($"unknown command '{verb}'"),
        [] => throw new UsageException("missing command"),
    };
}
