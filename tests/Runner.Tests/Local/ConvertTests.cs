using System.Text.Json.Nodes;
using Contracts;
using Runner.Local;
using Runner.Processes;

namespace Runner.Tests.Local;

public sealed class ConvertTests(TinyModelFixture model) : IClassFixture<TinyModelFixture>
{
    [Fact]
    public async Task Convert_SameSourceAgain_IsSkippedWithTheSameOutputs()
    {
        await using var target = new LocalTargetHarness(model.ModelDir);

        var (first, firstLog) = await target.RunAsync(StepKinds.CheckpointConvert, "r1");
        var (second, secondLog) = await target.RunAsync(StepKinds.CheckpointConvert, "r2");

        Assert.True(first.Outcome == StepStatuses.Succeeded, $"{first.Error}\n{firstLog}");
        Assert.Equal(StepStatuses.Skipped, second.Outcome);
        Assert.True(JsonNode.DeepEquals(first.Outputs, second.Outputs));
        Assert.True(File.Exists(first.Outputs!["checkpointPath"]!.GetValue<string>()));
        Assert.True(File.Exists(first.Outputs!["tokenizerPath"]!.GetValue<string>()));
        Assert.Contains(secondLog.Lines, l => l.Contains("skipped", StringComparison.Ordinal));
        Assert.EndsWith("/bf16", first.Outputs!["checkpointDir"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Convert_OutputTampered_ConvertsAgainAndLeavesNoTempDirectory()
    {
        await using var target = new LocalTargetHarness(model.ModelDir);
        var (first, _) = await target.RunAsync(StepKinds.CheckpointConvert, "r1");
        var checkpoint = first.Outputs!["checkpointPath"]!.GetValue<string>();
        await File.AppendAllTextAsync(checkpoint, "x");

        var (second, log) = await target.RunAsync(StepKinds.CheckpointConvert, "r2");

        Assert.True(second.Outcome == StepStatuses.Succeeded, $"{second.Error}\n{log}");
        var (third, _) = await target.RunAsync(StepKinds.CheckpointConvert, "r3");
        Assert.Equal(StepStatuses.Skipped, third.Outcome);
        var variantParent = Path.GetDirectoryName(first.Outputs!["checkpointDir"]!.GetValue<string>())!;
        Assert.Equal(["bf16"], Directory.EnumerateFileSystemEntries(variantParent).Select(Path.GetFileName));
    }

    [Fact]
    public async Task Convert_ConversionOfADeadRunnerLeftBehind_StopsItsConverterAndRemovesItsTempDirectory()
    {
        await using var target = new LocalTargetHarness(model.ModelDir);
        var (first, _) = await target.RunAsync(StepKinds.CheckpointConvert, "r1");
        var output = first.Outputs!["checkpointDir"]!.GetValue<string>();
        var abandoned = Directory.CreateDirectory($"{output}.tmp-abandoned").FullName;
        var ours = Directory.CreateDirectory($"{output}.tmp-live").FullName;
        using var orphan = ChildProcess.Start(new ProcessCommand("sleep", ["300"]), _ => { });
        using var busy = ChildProcess.Start(new ProcessCommand("sleep", ["300"]), _ => { });
        var runnerStart = ProcStat.StartTime(Environment.ProcessId)!.Value;
        await Eventually.TrueAsync(() => ProcStat.StartTime(orphan.Pid) is not null && ProcStat.StartTime(busy.Pid) is not null, "the sleeps");
        // A runner that is gone (same pid, another start time) and one that is alive (this very process).
        new ConversionOwner(Environment.ProcessId, runnerStart - 1, orphan.Pid, ProcStat.StartTime(orphan.Pid)!.Value).Save(abandoned);
        new ConversionOwner(Environment.ProcessId, runnerStart, busy.Pid, ProcStat.StartTime(busy.Pid)!.Value).Save(ours);

        var (second, log) = await target.RunAsync(StepKinds.CheckpointConvert, "r2");

        Assert.Equal(StepStatuses.Skipped, second.Outcome);
        Assert.Contains(log.Lines, l => l.Contains(abandoned, StringComparison.Ordinal));
        using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        Assert.Equal(128 + Signals.Terminate, await orphan.WaitForExitAsync(wait.Token));
        Assert.False(Directory.Exists(abandoned));
        Assert.True(Directory.Exists(ours));
        Assert.NotNull(ProcStat.StartTime(busy.Pid));
        await busy.StopAsync(new StopGraces(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1)));
    }

    [Fact]
    public async Task Convert_SourceOfAnotherScheme_FailsNamingTheSource()
    {
        await using var target = new LocalTargetHarness(model.ModelDir);
        target.Spec = target.Spec with { Model = target.Spec.Model with { Source = "s3://bucket/Meta-Llama-3-8B" } };

        var (result, _) = await target.RunAsync(StepKinds.CheckpointConvert, "r1");

        Assert.Equal(StepStatuses.Failed, result.Outcome);
        Assert.Contains("s3://bucket/Meta-Llama-3-8B", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Execute_UnknownKind_FailsSayingTheLocalTargetDoesNotSupportIt()
    {
        await using var target = new LocalTargetHarness(model.ModelDir);

        var (result, _) = await target.RunAsync(StepKinds.ClusterEnsure, "r1");

        Assert.Equal(StepStatuses.Failed, result.Outcome);
        Assert.Equal("step kind cluster.ensure is not supported by the local target", result.Error);
    }
}
