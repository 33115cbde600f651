using System.Diagnostics;
using System.Globalization;

namespace HealthBench;

/// <summary>
/// CPU time from <c>/proc/PID/stat</c>, in seconds. A process's own time is utime + stime; its reaped children's is
/// cutime + cstime. PostgreSQL is the postmaster plus its children: a backend that exits during the window moves from the
/// children's sum into the postmaster's reaped time, so the total stays whole.
/// </summary>
internal static class ProcCpu
{
    private static readonly double TicksPerSecond = ClockTicks();

    /// <summary>The process's own time plus that of its children it reaped.</summary>
    public static double Seconds(int pid) => Fields(pid) is { } f ? (f[11] + f[12] + f[13] + f[14]) / TicksPerSecond : 0;

    /// <summary>A process and its live children (their own and reaped time).</summary>
    public static double TreeSeconds(int pid) => Seconds(pid) + Children(pid).Sum(Seconds);

    public static IReadOnlyList<int> Children(int parent)
    {
        var children = new List<int>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid)) continue;
            if (Fields(pid) is { } f && f[1] == parent) children.Add(pid);
        }
        return children;
    }

    public static int? Parent(int pid) => Fields(pid) is { } f ? (int)f[1] : null;

    /// <summary>The fields after the command name, from field 3 (state, read as 0) on: index i is field i + 3.</summary>
    private static long[]? Fields(int pid)
    {
        string text;
        try
        {
            text = File.ReadAllText($"/proc/{pid}/stat");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
        var close = text.LastIndexOf(')');
        if (close < 0) return null;
        return text[(close + 2)..].Split(' ').Select(f => long.TryParse(f, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) ? n : 0).ToArray();
    }

    private static double ClockTicks()
    {
        try
        {
            using var getconf = Process.Start(new ProcessStartInfo("getconf", ["CLK_TCK"]) { RedirectStandardOutput = true })!;
            var text = getconf.StandardOutput.ReadToEnd();
            getconf.WaitForExit();
            return double.Parse(text.Trim(), CultureInfo.InvariantCulture);
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or FormatException)
        {
            return 100;
        }
    }
}
