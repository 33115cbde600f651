using System.Diagnostics;

namespace Runner.Processes;

/// <summary>
/// A child process whose output lines are streamed to a callback. It runs in its own session and process group
/// (<c>setsid</c>), so stopping it reaches everything it started and a terminal's Ctrl-C reaches only the runner.
/// </summary>
internal sealed class ChildProcess : IDisposable
{
    private readonly Process _process;
    private readonly Task _pumps;
    private string? _exit;
    private bool _disposed;

    private ChildProcess(Process process, Action<string> onLine)
    {
        _process = process;
        _pumps = Task.WhenAll(Pump(process.StandardOutput, onLine), Pump(process.StandardError, onLine));
    }

    public int Pid => _process.Id;

    public static ChildProcess Start(ProcessCommand command, Action<string> onLine)
    {
        var info = new ProcessStartInfo("setsid")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = command.WorkingDirectory ?? "",
        };
        foreach (var arg in command.Argv)
        {
            info.ArgumentList.Add(arg);
        }

        var process = Process.Start(info) ?? throw new InvalidOperationException($"could not start {command.FileName}");
        process.StandardInput.Close();
        Telemetry.RunnerMetrics.ChildProcessesStarted.WithLabels("attached").Inc();
        Telemetry.RunnerMetrics.ChildProcesses.Inc();
        return new ChildProcess(process, onLine);
    }

    /// <summary>Runs the command to its end and returns its exit code; on cancellation stops it (interrupt, terminate,
    /// kill) and throws <see cref="OperationCanceledException"/>.</summary>
    public static async Task<int> RunAsync(
        ProcessCommand command, Action<string> onLine, StopGraces graces, CancellationToken cancellationToken)
    {
        using var child = Start(command, onLine);
        try
        {
            return await child.WaitForExitAsync(cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            await child.StopAsync(graces);
            throw;
        }
    }

    /// <summary>Waits for the exit and for every output line to be delivered.</summary>
    public async Task<int> WaitForExitAsync(CancellationToken cancellationToken)
    {
        await _process.WaitForExitAsync(cancellationToken);
        await _pumps.WaitAsync(cancellationToken);
        _exit ??= _process.ExitCode == 0 ? "success" : "failure";
        return _process.ExitCode;
    }

    /// <summary>Interrupt, then terminate, then kill, each after its grace; returns once the process has exited.</summary>
    public async Task StopAsync(StopGraces graces)
    {
        _exit ??= "stopped";
        (int Signal, TimeSpan Grace)[] ladder =
        [
            (Signals.Interrupt, graces.AfterInterrupt),
            (Signals.Terminate, graces.AfterTerminate),
            (Signals.Kill, TimeSpan.FromSeconds(30)),
        ];
        foreach (var (signal, grace) in ladder)
        {
            if (_process.HasExited)
            {
                break;
            }

            Signals.SendToGroup(_process.Id, signal);
            using var wait = new CancellationTokenSource(grace);
            try
            {
                await _process.WaitForExitAsync(wait.Token);
            }
            catch (OperationCanceledException) when (wait.IsCancellationRequested)
            {
                // Still running: the next, harder signal follows.
            }
        }

        // Stragglers the process left in its group (e.g. background jobs, which ignore SIGINT) go too.
        if (Signals.SendToGroupOnly(_process.Id, Signals.Terminate))
        {
            await Task.Delay(200);
            Signals.SendToGroupOnly(_process.Id, Signals.Kill);
        }

        // The group may hold the pipes open a moment longer; lines already written are still delivered.
        await Task.WhenAny(_pumps, Task.Delay(TimeSpan.FromSeconds(5)));
    }

    public void Dispose()
    {
        if (!_disposed)
        {
            _disposed = true;
            Telemetry.RunnerMetrics.ChildProcesses.Dec();
            Telemetry.RunnerMetrics.ChildProcessExits.WithLabels(_exit ?? "stopped").Inc();
        }

        _process.Dispose();
    }

    private static async Task Pump(StreamReader reader, Action<string> onLine)
    {
        while (await reader.ReadLineAsync() is { } line)
        {
            onLine(line);
        }
    }
}
