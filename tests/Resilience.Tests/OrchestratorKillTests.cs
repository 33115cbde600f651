using System.Diagnostics;
using Resilience.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Resilience.Tests;

/// <summary>Two orchestrator instances on one database; one of them SIGKILLed at a random moment while runs flow, and
/// started again, over and over. Every run must still finish, each step once.</summary>
public sealed class OrchestratorKillTests(ITestOutputHelper output)
{
    [Fact]
    public async Task OrchestratorKilledAtRandomMoments_TwoInstances_EveryRunFinishes()
    {
        var wall = Stopwatch.StartNew();
        var kills = Counts.OrchestratorKills;
        var perKill = Math.Max(1, Counts.OrchestratorKillRuns / kills);
        var random = new Random();
        await using var cluster = await Cluster.StartAsync(instances: 2);
        await cluster.StartRunnersAsync(4);
        using var stop = new CancellationTokenSource();
        var poller = cluster.PollAsync(stop.Token);

        var ids = new List<Guid>();
        for (var k = 0; k < kills; k++)
        {
            ids.AddRange(await NoopRuns.SeedAsync(cluster.Database, $"ok{k}", perKill));
            await Task.Delay(random.Next(0, 1500));
            var victim = cluster.Instances[random.Next(cluster.Instances.Count)];
            await cluster.KillAsync(victim);
            await Task.Delay(random.Next(0, 1000));
            await cluster.RestartAsync(victim);
        }
        await NoopRuns.WaitAllFinalAsync(cluster.Database, ids, TimeSpan.FromMinutes(5), cluster.Diagnostics);
        await stop.CancelAsync();
        await poller;

        var statuses = await NoopRuns.StatusesAsync(cluster.Database, ids);
        var losses = await NoopRuns.LossesAsync(cluster.Database, ids);
        var duplicates = RunnerLogs.Duplicates(cluster.Stack.Dir);
        new Figures("orchestrator-kill", ids.Count, kills, kills, duplicates.Count, losses.Count, cluster.Errors.Count, wall.Elapsed.TotalSeconds).Report(output);

        Assert.True(statuses.GetValueOrDefault("succeeded") == ids.Count, "statuses: " + string.Join(", ", statuses) + "\n" + string.Join('\n', losses.Take(10)));
        Assert.True(losses.Count == 0, string.Join('\n', losses.Take(10)));
        Assert.True(duplicates.Count == 0, string.Join('\n', duplicates.Take(10)));
        Assert.True(cluster.Errors.Count == 0, cluster.Errors.Describe());
        // The duplicate check reads the runners' logs: it must have seen every step's claim, or it proves nothing.
        var claims = RunnerLogs.Claims(cluster.Stack.Dir).Count;
        Assert.True(claims >= ids.Count * 2, $"only {claims} claims in the runner logs for {ids.Count} runs of two steps");
    }
}
