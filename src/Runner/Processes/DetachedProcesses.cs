using System.Diagnostics;
using System.Text.Json;
using Contracts;

namespace Runner.Processes;

/// <summary>
/// Starts processes that must outlive the runner (engine replicas, the front) in their own session with output to a
/// log file, records each in a JSON file, and adopts a recorded process that is still alive instead of starting it
/// again. Not thread safe for one record path: one step works on a revision at a time.
/// </summary>
internal static class DetachedProcesses
{
    public static ProcessRecord? Read(string recordPath)
    {
        try
        {
            return JsonSerializer.Deserialize<ProcessRecord>(File.ReadAllText(recordPath), ContractJson.Options);
        }
        catch (FileNotFoundException)
        {
            return null;
        }
        catch (DirectoryNotFoundException)
        {
            return null;
        }
    }

    /// <summary>The live recorded process, or null when there is no record or its process is gone.</summary>
    public static ProcessRecord? Adoptable(string recordPath) => Read(recordPath) is { IsAlive: true } live ? live : null;

    public static ProcessRecord Start(string recordPath, ProcessCommand command, int port, string logPath)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(logPath))!);

        // sh and setsid both exec, so the pid we get is the program's own; setsid gives it a session and group of its
        // own (it is not a group leader when started from here, so setsid does not fork).
        var info = new ProcessStartInfo("sh") { UseShellExecute = false, WorkingDirectory = command.WorkingDirectory ?? "" };
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add("log=$1; shift; exec setsid \"$@\" >>\"$log\" 2>&1 </dev/null");
        info.ArgumentList.Add("sh");
        info.ArgumentList.Add(logPath);
        foreach (var arg in command.Argv)
        {
            info.ArgumentList.Add(arg);
        }

        using var process = Process.Start(info) ?? throw new InvalidOperationException($"could not start {command.FileName}");
        Telemetry.RunnerMetrics.ChildProcessesStarted.WithLabels("detached").Inc();
        var startTime = ProcStat.StartTime(process.Id)
            ?? throw new InvalidOperationException($"{command.FileName} exited at once; see {logPath}");
        var record = new ProcessRecord
        {
            Pid = process.Id,
            StartTime = startTime,
            Port = port,
            CommandLine = command.Argv,
            LogPath = logPath,
            StartedAt = DateTimeOffset.UtcNow,
        };
        AtomicFile.WriteAllText(recordPath, JsonSerializer.Serialize(record, ContractJson.Options));
        return record;
    }

    /// <summary>Terminates the process (its whole group), kills it after the grace, and returns once it is gone.</summary>
    public static async Task StopAsync(ProcessRecord record, TimeSpan grace, CancellationToken cancellationToken)
    {
        foreach (var (signal, wait) in new[] { (Signals.Terminate, grace), (Signals.Kill, TimeSpan.FromSeconds(30)) })
        {
            if (!record.IsAlive)
            {
                return;
            }

            Signals.SendToGroup(record.Pid, signal);
            var deadline = DateTimeOffset.UtcNow + wait;
            while (record.IsAlive && DateTimeOffset.UtcNow < deadline)
            {
                await Task.Delay(50, cancellationToken);
            }
        }
    }

    /// <summary>The last lines of a log file (the engine's last words when it exits early).</summary>
    public static IReadOnlyList<string> Tail(string logPath, int lines)
    {
        try
        {
            using var stream = new FileStream(logPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            stream.Seek(Math.Max(0, stream.Length - 16_384), SeekOrigin.Begin);
            using var reader = new StreamReader(stream);
            var all = reader.ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries);
            return all.TakeLast(lines).ToList();
        }
        catch (FileNotFoundException)
        {
            return [];
        }
    }
}
