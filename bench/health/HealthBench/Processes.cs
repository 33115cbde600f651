using System.Diagnostics;

namespace HealthBench;

/// <summary>The processes the bench starts: each one's output goes to a log file under the bench directory, and all of
/// them are killed at the end.</summary>
internal sealed class Processes(string dir) : IAsyncDisposable
{
    private readonly List<Process> _started = [];

    public Process Start(string name, IReadOnlyList<string> argv, IReadOnlyDictionary<string, string>? environment = null, bool keepStdin = false,
        Action<string>? onLine = null)
    {
        var info = new ProcessStartInfo(argv[0])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = keepStdin,
            UseShellExecute = false,
        };
        foreach (var arg in argv.Skip(1)) info.ArgumentList.Add(arg);
        foreach (var (key, value) in environment ?? new Dictionary<string, string>()) info.Environment[key] = value;
        var process = Process.Start(info) ?? throw new InvalidOperationException($"{name} did not start");
        _started.Add(process);
        var log = new StreamWriter(Path.Combine(dir, name + ".log")) { AutoFlush = true };
        var gate = new Lock();
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is not { } line) return;
            lock (gate) log.WriteLine(line);
            onLine?.Invoke(line);
        };
        process.ErrorDataReceived += (_, e) => { if (e.Data is { } line) lock (gate) log.WriteLine(line); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    /// <summary>Runs a command to its end and returns its standard output.</summary>
    public static async Task<string> OutputOfAsync(IReadOnlyList<string> argv, IReadOnlyDictionary<string, string> environment)
    {
        var info = new ProcessStartInfo(argv[0]) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in argv.Skip(1)) info.ArgumentList.Add(arg);
        foreach (var (key, value) in environment) info.Environment[key] = value;
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0) throw new InvalidOperationException($"{string.Join(' ', argv)} failed: {await stderr}");
        return (await stdout).Trim();
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var process in Enumerable.Reverse(_started))
        {
            try
            {
                if (!process.HasExited)
                {
                    process.Kill(entireProcessTree: true);
                    await process.WaitForExitAsync();
                }
            }
            catch (InvalidOperationException)
            {
                // Exited meanwhile.
            }
            process.Dispose();
        }
        _started.Clear();
    }
}
