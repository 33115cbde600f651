using System.Collections.Concurrent;
using Runner.Processes;

namespace Runner.Tests.Processes;

public sealed class ChildProcessTests
{
    // Traps INT and TERM (so only KILL ends it) and says which signal came.
    private const string Stubborn = """
        trap 'echo got INT' INT
        trap 'echo got TERM' TERM
        echo ready
        while true; do sleep 0.1; done
        """;

    [Fact]
    public async Task Stop_ProcessIgnoresInterruptAndTerminate_SendsInterruptThenTerminateThenKill()
    {
        var lines = new ConcurrentQueue<string>();
        using var child = ChildProcess.Start(new ProcessCommand("bash", ["-c", Stubborn]), lines.Enqueue);
        await Eventually.TrueAsync(() => lines.Contains("ready"), "the script to start");

        await child.StopAsync(new StopGraces(TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(2)));

        var exit = await child.WaitForExitAsync(CancellationToken.None);
        // bash may add its own note ("Terminated") when its sleep dies; the order of what the traps saw is the point.
        Assert.Equal(["ready", "got INT", "got TERM"], lines.Where(l => l is "ready" || l.StartsWith("got", StringComparison.Ordinal)));
        Assert.Equal(128 + Signals.Kill, exit);
    }

    [Fact]
    public async Task Stop_ProcessExitsOnInterrupt_NeedsNoHarderSignal()
    {
        var lines = new ConcurrentQueue<string>();
        using var child = ChildProcess.Start(
            new ProcessCommand("bash", ["-c", "trap 'echo bye; exit 7' INT; echo ready; while true; do sleep 0.1; done"]), lines.Enqueue);
        await Eventually.TrueAsync(() => lines.Contains("ready"), "the script to start");

        await child.StopAsync(new StopGraces(TimeSpan.FromSeconds(20), TimeSpan.FromSeconds(20)));

        Assert.Equal(7, await child.WaitForExitAsync(CancellationToken.None));
        Assert.Equal(["ready", "bye"], lines.ToArray());
    }

    [Fact]
    public async Task Run_Cancelled_StopsTheWholeProcessGroupAndThrows()
    {
        using var dir = new TempDir();
        var pidFile = dir.Sub("grandchild.pid");
        var lines = new ConcurrentQueue<string>();
        using var cancel = new CancellationTokenSource();
        var run = ChildProcess.RunAsync(
            new ProcessCommand("bash", ["-c", $"sleep 300 & echo $! > {pidFile}; echo started; wait"]),
            lines.Enqueue, new StopGraces(TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(2)), cancel.Token);
        await Eventually.TrueAsync(() => lines.Contains("started"), "the script to start");
        var grandchild = int.Parse(await File.ReadAllTextAsync(pidFile), System.Globalization.CultureInfo.InvariantCulture);

        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run);
        await Eventually.TrueAsync(() => ProcStat.StartTime(grandchild) is null, "the grandchild to be gone", TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task Run_ProgramWritesBothStreams_DeliversEveryLineAndExitCode()
    {
        var lines = new ConcurrentQueue<string>();
        var exit = await ChildProcess.RunAsync(
            new ProcessCommand("bash", ["-c", "for i in $(seq 1 500); do echo out $i; done; echo err >&2; exit 3"]),
            lines.Enqueue, StopGraces.Default, CancellationToken.None);

        Assert.Equal(3, exit);
        Assert.Equal(501, lines.Count);
        Assert.Equal(Enumerable.Range(1, 500).Select(i => $"out {i}"), lines.Where(l => l.StartsWith("out", StringComparison.Ordinal)));
    }
}
