using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Contracts;
using Orchestrator.Tests.Infrastructure;

namespace Orchestrator.Tests.Dispatch;

/// <summary>One active run per environment; waiting runs start in FIFO order; supersede cancels waiting ones.</summary>
public sealed class QueueTests
{
    [Fact]
    public async Task Runs_OfABusyEnvironment_WaitAndStartInOrder()
    {
        await using var h = await Harness.StartAsync();
        using var runner = await h.RunnerAsync();
        var a = await h.User.ApplyAsync(Specs.Local());
        var b = await h.User.ApplyAsync(Specs.Local());
        var c = await h.User.ApplyAsync(Specs.Local());

        Assert.Equal(RunStatuses.Running, a.Status);
        Assert.Equal(RunStatuses.Queued, b.Status);
        Assert.Equal(RunStatuses.Queued, c.Status);
        Assert.Equal(["r1", "r2", "r3"], new[] { a.Revision, b.Revision, c.Revision });

        var order = new List<string>();
        await runner.DrainAsync(h.User, [a.Id, b.Id, c.Id], onClaim: async claim =>
        {
            order.Add(claim.Revision);
            var running = await h.User.Http.GetFromJsonAsync<JsonArray>("/api/runs?environment=local&status=running");
            Assert.Single(running!);
        });

        Assert.Equal(Enumerable.Repeat("r1", 5).Concat(Enumerable.Repeat("r2", 5)).Concat(Enumerable.Repeat("r3", 5)), order);
        foreach (var run in new[] { a, b, c }) await h.User.WaitForStatusAsync(run.Id, RunStatuses.Succeeded);
    }

    [Fact]
    public async Task Supersede_CancelsWaitingRuns_AndTheNewOneStartsNext()
    {
        await using var h = await Harness.StartAsync();
        using var runner = await h.RunnerAsync();
        var a = await h.User.ApplyAsync(Specs.Local());
        var b = await h.User.ApplyAsync(Specs.Local());
        var c = await h.User.ApplyAsync(Specs.Local());

        var d = await h.User.ApplyAsync(Specs.Local(), supersede: true);

        Assert.Equal(RunStatuses.Running, (await h.User.GetRunAsync(a.Id)).Status);
        Assert.Equal(RunStatuses.Queued, d.Status);
        foreach (var superseded in new[] { b, c })
        {
            var run = await h.User.GetRunAsync(superseded.Id);
            Assert.Equal(RunStatuses.Cancelled, run.Status);
            Assert.Contains("superseded by r4", run.Error, StringComparison.Ordinal);
        }
        var revisions = (await runner.DrainAsync(h.User, [a.Id, d.Id])).Select(s => s.Revision).Distinct();
        Assert.Equal(["r1", "r4"], revisions);
        await h.User.WaitForStatusAsync(d.Id, RunStatuses.Succeeded);
    }

    [Fact]
    public async Task Environments_AreIndependent()
    {
        await using var h = await Harness.StartAsync();
        await h.User.CreateEnvironmentAsync("other");

        var a = await h.User.ApplyAsync(Specs.Local());
        var b = await h.User.ApplyAsync(Specs.Local("other"));

        Assert.Equal(RunStatuses.Running, a.Status);
        Assert.Equal(RunStatuses.Running, b.Status);
        Assert.Equal("r1", b.Revision);
    }

    [Fact]
    public async Task CancelledRunWithAStepStillStopping_HoldsTheQueueUntilThatStepEnds()
    {
        await using var h = await Harness.StartAsync();
        using var runner = await h.RunnerAsync();
        var a = await h.User.ApplyAsync(Specs.Local());
        var b = await h.User.ApplyAsync(Specs.Local());
        var claim = await runner.ClaimRequiredAsync();

        await h.User.PostAsync($"/api/runs/{a.Id}/cancel");
        var waiting = await h.User.GetRunAsync(b.Id);
        (await runner.CompleteAsync(claim, StepStatuses.Cancelled)).Dispose();
        var started = await h.User.WaitForStatusAsync(b.Id, RunStatuses.Running);

        Assert.Equal(RunStatuses.Queued, waiting.Status);
        Assert.Equal(RunStatuses.Running, started.Status);
    }
}
