using Contracts;
using Orchestrator.Tests.Infrastructure;

namespace Orchestrator.Tests.Dispatch;

public sealed class CanaryPauseTests
{
    [Fact]
    public async Task CanaryPause_IsCompletedByTheOrchestratorAfterItsSeconds()
    {
        await using var h = await Harness.StartAsync();
        await h.Database.ExecuteAsync("""UPDATE environments SET state = '{"stableRevision":"r0"}' WHERE name = 'local'""");
        using var runner = await h.RunnerAsync();
        var spec = Specs.Local();
        spec["strategy"] = System.Text.Json.Nodes.JsonNode.Parse("""{"canary":{"steps":[{"weight":10},{"pause":"2s"},{"weight":50}]}}""");
        var run = await h.User.ApplyAsync(spec);

        var names = new List<string>();
        DateTime? shiftedAt = null;
        TimeSpan? paused = null;
        await runner.DrainAsync(h.User, [run.Id], outputs: claim =>
        {
            if (claim.Name == "traffic.shift") shiftedAt = DateTime.UtcNow;
            return null;
        }, onClaim: claim =>
        {
            Assert.NotEqual(StepKinds.CanaryPause, claim.Kind);
            if (claim.Name == "traffic.shift-2") paused = DateTime.UtcNow - shiftedAt;
            names.Add(claim.Name);
            return Task.CompletedTask;
        });

        var done = await h.User.WaitForStatusAsync(run.Id, RunStatuses.Succeeded);
        Assert.Equal(["checkpoint.convert", "engine.deploy", "traffic.shift", "traffic.shift-2", "traffic.shift-3", "revision.promote", "cleanup"], names);
        Assert.True(paused >= TimeSpan.FromSeconds(1.9), $"paused {paused}");
        Assert.Equal(StepStatuses.Succeeded, done.Steps!.Single(s => s.Kind == StepKinds.CanaryPause).Status);
    }
}
