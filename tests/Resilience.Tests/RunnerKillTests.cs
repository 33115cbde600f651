using System.Diagnostics;
using System.Text.Json.Nodes;
using Resilience.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Resilience.Tests;

/// <summary>
/// Real rollouts of the tiny model on the local target; in each, the runner is SIGKILLed at a random moment of a
/// randomly chosen step and a new runner takes over. Every run must succeed, each run's converter and engine must
/// have been started once (adopted after the kill, never started again), and no converter or old engine may be left.
/// </summary>
[Collection(TinyModelCollection.Name)]
public sealed class RunnerKillTests(TinyModelFixture model, ITestOutputHelper output)
{
    [Fact]
    public async Task RunnerKilledAtRandomMomentOfRandomStep_EveryRunSucceeds_SideEffectsOnce_NoOrphans()
    {
        var wall = Stopwatch.StartNew();
        var kills = Counts.RunnerKills;
        var random = new Random();
        await using var stack = await TestStack.StartAsync();
        var errors = new ServerErrorCounter();
        using var api = errors.Client(stack.Server, stack.UserToken);
        var gate = new EngineGate(Path.Combine(stack.Dir, "gate"));
        var runner = await stack.StartRunnerAsync("k0", gate.Program);
        var frontPort = FreePort.Next();
        var enginePorts = FreePort.NextRange(8);

        var failed = new List<string>();
        var killedIn = new List<string>();
        var convertInterrupted = new bool[kills];
        for (var i = 0; i < kills; i++)
        {
            var artifacts = Path.Combine(stack.Dir, $"artifacts-{i}");
            var runId = await LocalRollouts.ApplyAsync(stack, model.Dir, frontPort, enginePorts, artifacts, 128 + 8 * i);
            var planned = (await LocalRollouts.GetRunAsync(api, runId))["steps"]!.AsArray().Select(s => (string)s!["name"]!).ToList();
            var target = planned[random.Next(planned.Count)];
            // The target step running, or the run past it (a quick step can start and finish between two reads).
            var seen = await LocalRollouts.WaitAsync(api, runId, r => Runs.IsFinal(r) || Runs.StepStatus(r, target) != "pending" && Runs.StepStatus(r, target) != "ready",
                TimeSpan.FromMinutes(3), stack.Diagnostics);
            await Task.Delay(random.Next(0, 700));
            killedIn.Add($"{target}:{Runs.StepStatus(seen, target)}");
            await runner.KillAsync();
            // Read once the runner is dead: a step still "running" was cut off mid-way, and its work is redone.
            var atKill = await LocalRollouts.GetRunAsync(api, runId);
            convertInterrupted[i] = Runs.StepStatus(atKill, "checkpoint.convert") == "running";
            runner = await stack.StartRunnerAsync($"k{i + 1}", gate.Program);
            var run = await LocalRollouts.WaitAsync(api, runId, Runs.IsFinal, TimeSpan.FromMinutes(4), stack.Diagnostics);
            if (Runs.Status(run) != "succeeded") failed.Add($"run {i} ({target}): {run.ToJsonString()}");
        }

        // Each revision (its own artifacts folder) served by one replica started once, and converted once, or twice when
        // the kill cut its conversion off (the conversion was never completed, so redoing it is no second side effect;
        // that the first converter is gone is the orphan check below).
        var duplicates = new List<string>();
        var missing = new List<string>();
        for (var i = 0; i < kills; i++)
        {
            var marker = $"artifacts-{i}/";
            foreach (var verb in new[] { "convert", "serve" })
            {
                var starts = gate.Starts(verb).Count(s => s.Arguments.Contains(marker, StringComparison.Ordinal));
                var allowed = verb == "convert" && convertInterrupted[i] ? 2 : 1;
                if (starts > allowed) duplicates.Add($"run {i}: {verb} started {starts} times (allowed {allowed})");
                if (starts == 0) missing.Add($"run {i}: {verb} never started");
            }
        }
        // Old revisions' replicas retired by cleanup; nothing converts any more.
        var orphans = new List<string>();
        try
        {
            await Eventually.Async(() => Task.FromResult(LocalRollouts.Live(stack, " serve ").Count <= 1 && LocalRollouts.Live(stack, " convert ").Count == 0),
                TimeSpan.FromSeconds(60), () => "orphans");
        }
        catch (TimeoutException)
        {
            orphans.AddRange(LocalRollouts.Live(stack, " serve ").Concat(LocalRollouts.Live(stack, " convert ")).Select(pid => $"{pid}: {ProcessJanitor.CommandLine(pid)}"));
        }
        new Figures("runner-kill", kills, kills, kills, duplicates.Count, failed.Count, errors.Count, wall.Elapsed.TotalSeconds).Report(output);
        output.WriteLine("killed during: " + string.Join(", ", killedIn));

        Assert.True(failed.Count == 0, string.Join('\n', failed.Take(3)) + stack.Diagnostics());
        Assert.True(duplicates.Count == 0, string.Join('\n', duplicates));
        Assert.True(missing.Count == 0, "the side-effect count proves nothing: " + string.Join('\n', missing));
        Assert.True(orphans.Count == 0, "orphaned processes:\n" + string.Join('\n', orphans));
        Assert.Single(LocalRollouts.Live(stack, " serve "));
        Assert.True(errors.Count == 0, errors.Describe());
    }
}
