using System.Text.Json.Nodes;
using EndToEnd.Tests.Infrastructure;

namespace EndToEnd.Tests.Local;

/// <summary>SIGKILL in the middle of a run, of a runner or of the service: the run still finishes, and the engine
/// replica started before the crash is adopted, never started a second time nor left behind.</summary>
[Collection(EndToEndCollection.Name)]
public sealed class CrashTests(TinyModelFixture model)
{
    private static readonly TimeSpan RunTimeout = TimeSpan.FromMinutes(4);

    [Fact]
    public async Task RunnerKilledMidDeploy_LeaseExpiresAndAnotherRunnerFinishes_EngineStartedOnce()
    {
        await using var stack = await TestStack.StartAsync();
        var gate = new EngineGate(Path.Combine(stack.Dir, "gate"));
        gate.Hold("serve");
        var doomed = await stack.StartRunnerAsync("doomed", gate.Program);
        var runId = await ApplyAsync(stack);
        var engine = await WaitForEngineStartAsync(stack, gate, runId);

        await doomed.KillAsync();
        await stack.StartRunnerAsync("rescuer", gate.Program);
        gate.Release("serve");
        var run = await stack.WaitForRunAsync(runId, Runs.IsFinal, RunTimeout, "run after the runner was killed");

        Assert.True(Runs.Status(run) == "succeeded", run.ToJsonString() + stack.Diagnostics());
        Assert.True(Runs.Attempt(run, "engine.deploy") >= 2, "the killed runner's attempt should have expired: " + run.ToJsonString());
        var runners = JsonNode.Parse(await stack.Api.GetStringAsync("api/runners"))!.AsArray();
        var rescuerId = (string?)runners.Single(r => (string?)r!["name"] == "rescuer")!["id"];
        Assert.Equal(rescuerId, (string?)Runs.Step(run, "engine.deploy")["runnerId"]);
        Assert.Equal([engine], gate.Pids("serve"));
        Assert.Equal([engine], RolloutTests.LiveEngines(stack));
        Assert.True((await RolloutTests.GenerateAsync(stack)).Ok);
    }

    [Fact]
    public async Task OrchestratorKilledMidRun_StartedAgain_RunFinishes()
    {
        await using var stack = await TestStack.StartAsync();
        var gate = new EngineGate(Path.Combine(stack.Dir, "gate"));
        gate.Hold("serve");
        await stack.StartRunnerAsync("steady", gate.Program);
        var runId = await ApplyAsync(stack);
        await WaitForEngineStartAsync(stack, gate, runId);
        var follower = stack.CliAsync("runs", "logs", runId, "--follow");

        await stack.Orchestrator!.KillAsync();
        // Down for longer than a lease: the service must sort out expired leases when it comes back.
        await Task.Delay(TimeSpan.FromSeconds(TestStack.LeaseSeconds + 1));
        await stack.StartOrchestratorAsync();
        gate.Release("serve");
        var run = await stack.WaitForRunAsync(runId, Runs.IsFinal, RunTimeout, "run after the orchestrator was killed");

        Assert.True(Runs.Status(run) == "succeeded", run.ToJsonString() + stack.Diagnostics());
        Assert.Single(RolloutTests.LiveEngines(stack));
        Assert.True((await RolloutTests.GenerateAsync(stack)).Ok);
        // The CLI following the logs rode out the restart: it ends with the run and printed every line exactly once.
        var followed = await follower;
        var listed = await stack.CliAsync("runs", "logs", runId);
        Assert.True(followed.ExitCode == 0, followed.ToString());
        Assert.Contains("traffic.shift |", followed.Stdout, StringComparison.Ordinal);
        Assert.Equal(listed.Stdout, followed.Stdout);
    }

    internal static async Task<string> ApplyAsync(TestStack stack, TinyModelFixture model, string? artifactsDir = null)
    {
        var spec = stack.WriteRollout(model.Dir, replicas: 1, FreePort.Next(), FreePort.NextRange(4), artifactsDir);
        var apply = await stack.CliAsync("apply", "-f", spec, "--json");
        Assert.True(apply.ExitCode == 0, apply.ToString());
        return (string)JsonNode.Parse(apply.Stdout)!["id"]!;
    }

    private Task<string> ApplyAsync(TestStack stack) => ApplyAsync(stack, model, model.SharedArtifactsDir);

    /// <summary>Waits until the deploy step runs and its replica process exists (held at the gate); returns its pid.</summary>
    private static async Task<int> WaitForEngineStartAsync(TestStack stack, EngineGate gate, string runId)
    {
        await stack.WaitForRunAsync(runId, r => Runs.StepStatus(r, "engine.deploy") == "running" || Runs.IsFinal(r),
            TimeSpan.FromMinutes(3), "engine.deploy running");
        await Eventually.Async(() => Task.FromResult(gate.Pids("serve").Count > 0), TimeSpan.FromMinutes(1), () => "engine replica started\n" + stack.Diagnostics());
        var run = await stack.GetRunAsync(runId);
        Assert.True(Runs.StepStatus(run, "engine.deploy") == "running", run.ToJsonString());
        return Assert.Single(gate.Pids("serve"));
    }
}
