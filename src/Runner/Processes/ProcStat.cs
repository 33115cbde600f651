using System.Globalization;

namespace Runner.Processes;

/// <summary>Reads <c>/proc/PID/stat</c>: the start time (clock ticks since boot) tells a live process from a later one
/// that reuses its pid.</summary>
internal static class ProcStat
{
    /// <summary>The process's start time, or null when it is gone or a zombie.</summary>
    public static long? StartTime(int pid)
    {
        string text;
        try
        {
            text = File.ReadAllText($"/proc/{pid}/stat");
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }

        // The command name (field 2) may hold spaces and parentheses: the fields after it start past the last ')'.
        var close = text.LastIndexOf(')');
        if (close < 0)
        {
            return null;
        }

        var fields = text[(close + 2)..].Split(' ');
        if (fields.Length < 20 || fields[0] == "Z" || fields[0] == "X")
        {
            return null;
        }

        // Field 3 (state) is fields[0]; field 22 (starttime) is fields[19].
        return long.Parse(fields[19], CultureInfo.InvariantCulture);
    }

    public static bool IsAlive(int pid, long startTime) => StartTime(pid) == startTime;
}
