using System.Runtime.InteropServices;

namespace Runner.Processes;

/// <summary>POSIX signals sent with libc's <c>kill</c>; a negative pid addresses a whole process group.</summary>
internal static partial class Signals
{
    public const int Interrupt = 2;
    public const int Kill = 9;
    public const int Terminate = 15;

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int SysKill(int pid, int signal);

    /// <summary>Signals the process group led by <paramref name="pid"/> (our children run in their own session and
    /// group), so grandchildren such as a shell's <c>sleep</c> are reached too; the process alone when it leads no group.
    /// Never both: a process that handled the first copy would get the signal twice, and many programs read a second
    /// interrupt as "stop now".</summary>
    public static void SendToGroup(int pid, int signal)
    {
        if (SysKill(-pid, signal) != 0) SysKill(pid, signal);
    }

    /// <summary>Signals only the group: safe after its leader exited (a group id is not reused while the group has
    /// members), where signalling the leader's pid might reach an unrelated process.</summary>
    public static bool SendToGroupOnly(int pid, int signal) => SysKill(-pid, signal) == 0;

    /// <summary>True when a process with this pid exists (zombies included; see <see cref="ProcStat"/>).</summary>
    public static bool Exists(int pid) =>
        SysKill(pid, 0) == 0 || Marshal.GetLastPInvokeError() == 1 /* EPERM: exists, not ours */;
}
