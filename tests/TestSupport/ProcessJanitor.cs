using System.Diagnostics;
using System.Text.RegularExpressions;

namespace TestSupport;

/// <summary>
/// Finds and kills every process a test left behind. Engines and fronts are detached from the runner (their own
/// session) on purpose, so killing the runner does not reach them: they are found by the runner's state-dir records
/// (pid + start time) and, as a safety net, by their command line naming the test's private directory.
/// </summary>
public static partial class ProcessJanitor
{
    /// <summary>Pids of live processes whose command line contains <paramref name="marker"/>.</summary>
    public static IReadOnlyList<int> FindByCommandLine(string marker)
    {
        var found = new List<int>();
        var self = Environment.ProcessId;
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid) || pid == self) continue;
            if (CommandLine(pid) is { } cmd && cmd.Contains(marker, StringComparison.Ordinal) && !IsZombie(pid)) found.Add(pid);
        }
        return found;
    }

    public static string? CommandLine(int pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/cmdline").Replace('\0', ' ');
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>Live processes recorded under <paramref name="stateDir"/> as JSON with <c>pid</c> and <c>startTime</c>.</summary>
    public static IReadOnlyList<int> FindRecorded(string stateDir)
    {
        if (!Directory.Exists(stateDir)) return [];
        var pids = new List<int>();
        foreach (var file in Directory.EnumerateFiles(stateDir, "*.json", SearchOption.AllDirectories))
        {
            string text;
            try
            {
                text = File.ReadAllText(file);
            }
            catch (IOException)
            {
                continue;
            }
            var pid = PidPattern().Match(text);
            var start = StartPattern().Match(text);
            if (!pid.Success || !start.Success) continue;
            var id = int.Parse(pid.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
            if (StartTime(id) == start.Groups[1].Value) pids.Add(id);
        }
        return pids;
    }

    /// <summary>Field 22 of <c>/proc/PID/stat</c> (start time in clock ticks), as the runner records it.</summary>
    public static string? StartTime(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return fields[19];
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or IndexOutOfRangeException)
        {
            return null;
        }
    }

    public static bool IsAlive(int pid) => StartTime(pid) is not null && !IsZombie(pid);

    /// <summary>SIGKILLs every recorded process and every process naming <paramref name="dir"/>, then waits for them.</summary>
    public static async Task KillAllAsync(string dir, string? stateDir)
    {
        for (var round = 0; round < 3; round++)
        {
            var pids = (stateDir is null ? [] : FindRecorded(stateDir)).Concat(FindByCommandLine(dir)).Distinct().ToList();
            if (pids.Count == 0) return;
            foreach (var pid in pids)
            {
                try
                {
                    using var process = Process.GetProcessById(pid);
                    process.Kill(entireProcessTree: true);
                }
                catch (Exception e) when (e is ArgumentException or InvalidOperationException or System.ComponentModel.Win32Exception)
                {
                    // Already gone.
                }
            }
            var deadline = DateTime.UtcNow.AddSeconds(10);
            while (pids.Any(IsAlive) && DateTime.UtcNow < deadline) await Task.Delay(100);
        }
    }

    private static bool IsZombie(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[(stat.LastIndexOf(')') + 2)..].StartsWith('Z');
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentOutOfRangeException)
        {
            return true;
        }
    }

    [GeneratedRegex("\"pid\"\\s*:\\s*(\\d+)")]
    private static partial Regex PidPattern();

    [GeneratedRegex("\"startTime\"\\s*:\\s*(\\d+)")]
    private static partial Regex StartPattern();
}
