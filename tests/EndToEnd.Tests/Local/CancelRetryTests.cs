using EndToEnd.Tests.Infrastructure;

namespace EndToEnd.Tests.Local;

/// <summary>Cancelling a run reaches the runner and stops the step's child process; retrying a failed run keeps
/// the steps that succeeded and runs again from the one that failed.</summary>
[Collection(EndToEndCollection.Name)]
public sealed class CancelRetryTests(TinyModelFixture model)
{
    private static readonly TimeSpan RunTimeout = TimeSpan.FromMinutes(4);

    [Fact]
    public async Task Cancel_DuringConvert_StopsTheRunnersChildProcess()
    {
        await using var stack = await TestStack.StartAsync();
        var gate = new EngineGate(Path.Combine(stack.Dir, "gate"));
        gate.Hold("convert");
        await stack.StartRunnerAsync("worker", gate.Program);
        var runId = await CrashTests.ApplyAsync(stack, model);
        await stack.WaitForRunAsync(runId, r => Runs.StepStatus(r, "checkpoint.convert") == "running" || Runs.IsFinal(r),
            TimeSpan.FromMinutes(2), "convert running");
        await Eventually.Async(() => Task.FromResult(gate.Pids("convert").Count > 0), TimeSpan.FromMinutes(1), () => "convert started\n" + stack.Diagnostics());
        var child = Assert.Single(gate.Pids("convert"));
        Assert.True(ProcessJanitor.IsAlive(child));

        var cancel = await stack.CliAsync("runs", "cancel", runId);

        Assert.True(cancel.ExitCode == 0, cancel.ToString());
        var run = await stack.WaitForRunAsync(runId, r => Runs.IsFinal(r) && Runs.StepStatus(r, "checkpoint.convert") != "running",
            TimeSpan.FromMinutes(1), "run cancelled");
        Assert.Equal("cancelled", Runs.Status(run));
        Assert.Equal("cancelled", Runs.StepStatus(run, "checkpoint.convert"));
        Assert.Equal("cancelled", Runs.StepStatus(run, "engine.deploy"));
        await Eventually.Async(() => Task.FromResult(!ProcessJanitor.IsAlive(child)), TimeSpan.FromSeconds(30),
            () => $"the convert child {child} is still alive: {ProcessJanitor.CommandLine(child)}");
        Assert.Single(gate.Pids("convert"));
        Assert.Empty(RolloutTests.LiveEngines(stack));
    }

    [Fact]
    public async Task Retry_AfterDeployFailed_KeepsConvertAndFinishesFromDeploy()
    {
        await using var stack = await TestStack.StartAsync();
        var gate = new EngineGate(Path.Combine(stack.Dir, "gate"));
        gate.Fail("serve");
        await stack.StartRunnerAsync("worker", gate.Program);
        var spec = stack.WriteRollout(model.Dir, replicas: 1, FreePort.Next(), FreePort.NextRange(4), model.SharedArtifactsDir);

        var apply = await stack.CliAsync("apply", "-f", spec, "--follow");

        Assert.True(apply.ExitCode == 1, apply.ToString());
        var runId = apply.Stdout.Split(' ', '\n').SkipWhile(w => w != "run").Skip(1).First();
        var failed = await stack.GetRunAsync(runId);
        Assert.True(Runs.Status(failed) == "failed", failed.ToJsonString() + stack.Diagnostics());
        Assert.Contains(Runs.StepStatus(failed, "checkpoint.convert"), new[] { "succeeded", "skipped" });
        Assert.Equal("failed", Runs.StepStatus(failed, "engine.deploy"));
        var convertFinished = (string?)Runs.Step(failed, "checkpoint.convert")["finishedAt"];
        var converts = gate.Pids("convert").Count;

        gate.Heal("serve");
        var retry = await stack.CliAsync("runs", "retry", runId);

        Assert.True(retry.ExitCode == 0, retry.ToString());
        var run = await stack.WaitForRunAsync(runId, Runs.IsFinal, RunTimeout, "retried run");
        Assert.True(Runs.Status(run) == "succeeded", run.ToJsonString() + stack.Diagnostics());
        Assert.Equal(convertFinished, (string?)Runs.Step(run, "checkpoint.convert")["finishedAt"]);
        Assert.Equal(converts, gate.Pids("convert").Count);
        Assert.Equal("succeeded", Runs.StepStatus(run, "engine.deploy"));
        Assert.Single(RolloutTests.LiveEngines(stack));
        Assert.True((await RolloutTests.GenerateAsync(stack)).Ok);
    }
}
