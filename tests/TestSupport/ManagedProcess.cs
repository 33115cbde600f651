using System.Diagnostics;
using System.Text;

namespace TestSupport;

/// <summary>
/// A long-running child process of the test (the service, a runner). Its output goes to a log file and a buffer
/// for failure messages. Disposal kills it and its descendants, so a failing test leaves nothing behind.
/// </summary>
public sealed class ManagedProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StreamWriter _log;
    private readonly StringBuilder _recent = new();
    private readonly Lock _gate = new();

    private ManagedProcess(string name, Process process, StreamWriter log)
    {
        Name = name;
        _process = process;
        _log = log;
    }

    public string Name { get; }
    public int Pid => _process.Id;
    public bool HasExited => _process.HasExited;

    public static ManagedProcess Start(string name, string fileName, IEnumerable<string> args, IReadOnlyDictionary<string, string> environment, string logPath)
    {
        var info = new ProcessStartInfo(fileName) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in args) info.ArgumentList.Add(arg);
        foreach (var (key, value) in environment) info.Environment[key] = value;
        var log = new StreamWriter(logPath, append: true) { AutoFlush = true };
        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        var managed = new ManagedProcess(name, process, log);
        process.OutputDataReceived += (_, e) => managed.Append(e.Data);
        process.ErrorDataReceived += (_, e) => managed.Append(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return managed;
    }

    /// <summary>The last few kilobytes of its output, for assertion messages.</summary>
    public string Tail()
    {
        lock (_gate) return $"--- {Name} (pid {Pid}{(HasExited ? $", exited {_process.ExitCode}" : "")}) ---\n{_recent}";
    }

    public void Signal(string signal)
    {
        using var kill = Process.Start("kill", ["-" + signal, Pid.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        kill.WaitForExit();
    }

    /// <summary>SIGKILL, like a machine losing power under the process; returns once it is gone.</summary>
    public async Task KillAsync()
    {
        if (!HasExited) _process.Kill(entireProcessTree: false);
        await _process.WaitForExitAsync();
    }

    public async Task<bool> WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cts.Token);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!HasExited) _process.Kill(entireProcessTree: true);
            await WaitForExitAsync(TimeSpan.FromSeconds(15));
        }
        catch (InvalidOperationException)
        {
            // Never started or already reaped.
        }
        _process.Dispose();
        lock (_gate) _log.Dispose();
    }

    private void Append(string? line)
    {
        if (line is null) return;
        lock (_gate)
        {
            _log.WriteLine(line);
            _recent.AppendLine(line);
            if (_recent.Length > 12_000) _recent.Remove(0, _recent.Length - 8_000);
        }
    }
}
