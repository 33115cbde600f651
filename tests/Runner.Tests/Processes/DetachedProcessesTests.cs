using Runner.Processes;

namespace Runner.Tests.Processes;

public sealed class DetachedProcessesTests
{
    [Fact]
    public async Task Adoptable_RecordedProcessAlive_ReturnsSameProcessWithoutStartingAnother()
    {
        using var dir = new TempDir();
        var recordPath = dir.Sub("state/replica-0.json");
        var started = DetachedProcesses.Start(recordPath, new ProcessCommand("sleep", ["300"]), 1234, dir.Sub("state/replica-0.log"));
        try
        {
            // A new runner process knows only the state directory.
            var adopted = DetachedProcesses.Adoptable(recordPath);

            Assert.NotNull(adopted);
            Assert.Equal(started.Pid, adopted.Pid);
            Assert.Equal(started.StartTime, adopted.StartTime);
            Assert.Equal(1234, adopted.Port);
            Assert.Equal(["sleep", "300"], adopted.CommandLine);
            // Its own session (once sh has exec'd setsid): it outlives the runner and the runner's terminal.
            await Eventually.TrueAsync(() => SessionId(started.Pid) == started.Pid, "the process to lead its own session");
        }
        finally
        {
            await DetachedProcesses.StopAsync(started, TimeSpan.FromSeconds(5), CancellationToken.None);
        }

        Assert.Null(DetachedProcesses.Adoptable(recordPath));
    }

    [Fact]
    public async Task Adoptable_PidAliveButStartTimeDiffers_IsNotAdopted()
    {
        using var dir = new TempDir();
        var recordPath = dir.Sub("replica-0.json");
        var started = DetachedProcesses.Start(recordPath, new ProcessCommand("sleep", ["300"]), 1, dir.Sub("replica-0.log"));
        try
        {
            // The same pid with another start time is another process that reuses the number.
            var forged = started with { StartTime = started.StartTime - 1 };
            AtomicFile.WriteAllText(recordPath, System.Text.Json.JsonSerializer.Serialize(forged, Contracts.ContractJson.Options));

            Assert.Null(DetachedProcesses.Adoptable(recordPath));
        }
        finally
        {
            await DetachedProcesses.StopAsync(started, TimeSpan.FromSeconds(5), CancellationToken.None);
        }
    }

    [Fact]
    public async Task Stop_ProcessIgnoresTerminate_IsKilledAfterGrace()
    {
        using var dir = new TempDir();
        var log = dir.Sub("stubborn.log");
        var record = DetachedProcesses.Start(
            dir.Sub("stubborn.json"),
            new ProcessCommand("bash", ["-c", "trap 'echo got TERM' TERM; echo ready; while true; do sleep 0.1; done"]), 1, log);
        await Eventually.TrueAsync(() => DetachedProcesses.Tail(log, 5).Contains("ready"), "the script to start");

        await DetachedProcesses.StopAsync(record, TimeSpan.FromSeconds(1), CancellationToken.None);

        Assert.False(record.IsAlive);
        Assert.Contains("got TERM", DetachedProcesses.Tail(log, 5));
    }

    private static int SessionId(int pid)
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return int.Parse(fields[3], System.Globalization.CultureInfo.InvariantCulture); // field 6: session
    }
}
