namespace Runner.Processes;

/// <summary>What the state directory remembers about a detached process so that a later runner can adopt it: the pid
/// and its start time (together they name one process; a reused pid has another start time), its port, its command
/// line and where its output goes.</summary>
internal sealed record ProcessRecord
{
    public int Pid { get; init; }
    public long StartTime { get; init; }
    public int Port { get; init; }
    public IReadOnlyList<string> CommandLine { get; init; } = [];
    public string LogPath { get; init; } = "";
    public DateTimeOffset StartedAt { get; init; }

    public bool IsAlive => ProcStat.IsAlive(Pid, StartTime);
}
