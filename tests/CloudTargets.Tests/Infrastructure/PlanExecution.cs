using System.Diagnostics;
using System.Text.Json.Nodes;
using Contracts;
using Contracts.Specs;
using Orchestrator.Planning;

namespace CloudTargets.Tests.Infrastructure;

/// <summary>Runs the real planner's steps for a first rollout through the harness as the dispatcher hands them out
/// to enough runners: each step as soon as every step it depends on has ended, in parallel with the others. Records
/// when each started and ended.</summary>
internal static class PlanExecution
{
    public sealed record Timing(string Name, string Kind, IReadOnlyList<string> DependsOn, TimeSpan Start, TimeSpan End)
    {
        public TimeSpan Duration => End - Start;
    }

    public static async Task<(IReadOnlyList<Timing> Steps, TimeSpan Wall)> RunAsync(CloudHarness harness, RolloutSpec spec, Action<string>? onEnded = null)
    {
        var steps = Planner.Plan(spec, new EnvironmentState()).Where(s => s.Kind != StepKinds.RevisionRollback).ToList();
        var state = new JsonObject();
        var gate = new Lock();
        var done = new Dictionary<string, Timing>(StringComparer.Ordinal);
        var running = new Dictionary<string, Task>(StringComparer.Ordinal);
        var watch = Stopwatch.StartNew();
        while (done.Count < steps.Count)
        {
            foreach (var step in steps.Where(s => !running.ContainsKey(s.Name) && s.DependsOn.All(done.ContainsKey)))
            {
                JsonObject environment;
                lock (gate) environment = state.DeepClone().AsObject();
                running[step.Name] = Task.Run(async () =>
                {
                    var start = watch.Elapsed;
                    var claim = CloudHarness.Claim(spec, step.Kind, "r1", step.Parameters.DeepClone().AsObject(), environment);
                    claim = claim with { Name = step.Name };
                    var (result, log) = await harness.RunAsync(claim);
                    if (result.Outcome is not (StepStatuses.Succeeded or StepStatuses.Skipped))
                        throw new InvalidOperationException($"{step.Name}: {result.Outcome} {result.Error}\n{log.Text}");
                    lock (gate)
                    {
                        foreach (var (key, value) in result.Outputs?["environment"] as JsonObject ?? []) state[key] = value?.DeepClone();
                        done[step.Name] = new Timing(step.Name, step.Kind, step.DependsOn, start, watch.Elapsed);
                    }

                    onEnded?.Invoke(step.Name);
                });
            }

            var pending = running.Where(r => !done.ContainsKey(r.Key)).Select(r => r.Value).ToList();
            if (pending.Count == 0) throw new InvalidOperationException("no step can start: the plan has a cycle or a missing dependency");
            await await Task.WhenAny(pending);
        }

        return (steps.Select(s => done[s.Name]).ToList(), watch.Elapsed);
    }

    /// <summary>The longest chain of measured step durations through the dependencies.</summary>
    public static TimeSpan CriticalPath(IReadOnlyList<Timing> steps)
    {
        var byName = steps.ToDictionary(s => s.Name);
        var finish = new Dictionary<string, TimeSpan>();
        TimeSpan Finish(Timing t) => finish.TryGetValue(t.Name, out var f) ? f
            : finish[t.Name] = t.Duration + t.DependsOn.Select(d => Finish(byName[d])).DefaultIfEmpty(TimeSpan.Zero).Max();
        return steps.Max(Finish);
    }
}
