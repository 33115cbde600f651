using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Contracts;
using Contracts.Protocol;
using Orchestrator.Tests.Infrastructure;

namespace Orchestrator.Tests.Dispatch;

/// <summary>A completion that asks for the runner's next step, and heartbeats that renew a lease only when it is due.</summary>
public sealed class ClaimNextTests
{
    [Fact]
    public async Task Complete_WithClaimNext_AnswersWithTheStepItsCompletionMadeReady_UntilTheRunEnds()
    {
        await using var h = await Harness.StartAsync();
        using var runner = await h.RunnerAsync();
        var run = await h.User.ApplyAsync(Specs.Local());

        var names = new List<string>();
        var claim = await runner.ClaimRequiredAsync();
        HttpStatusCode status;
        do
        {
            names.Add(claim.Name);
            using (var beat = await runner.HeartbeatAsync(claim)) Assert.Equal(HttpStatusCode.OK, beat.StatusCode);
            (status, var next) = await runner.CompleteAndClaimNextAsync(claim);
            if (next is null) break;
            Assert.Equal(HttpStatusCode.OK, status);
            Assert.Equal(1, next.Attempt);
            Assert.True(next.Inputs.ContainsKey(claim.Name), "the step just completed is among the next step's inputs");
            claim = next;
        }
        while (true);

        Assert.Equal(HttpStatusCode.NoContent, status);
        Assert.Equal(["checkpoint.convert", "engine.deploy", "traffic.shift", "revision.promote", "cleanup"], names);
        Assert.Equal(RunStatuses.Succeeded, (await h.User.WaitForStatusAsync(run.Id, RunStatuses.Succeeded)).Status);
        Assert.Equal(0, await h.Database.ScalarAsync<long>("SELECT count(*) FROM steps WHERE status = 'running'"));
    }

    [Fact]
    public async Task Complete_WithClaimNext_AfterAFailure_TakesTheGeneralPathAndStillHandsTheNextStep()
    {
        await using var h = await Harness.StartAsync("--Dispatch:MaxAttempts", "1");
        using var runner = await h.RunnerAsync();
        await h.User.CreateEnvironmentAsync("first");
        await h.User.CreateEnvironmentAsync("second");
        var failing = await h.User.ApplyAsync(Specs.Local("first"));
        var other = await h.User.ApplyAsync(Specs.Local("second"));

        var claim = await runner.ClaimRequiredAsync();
        var (status, next) = await runner.CompleteAndClaimNextAsync(claim, StepStatuses.Failed, error: "disk full");

        Assert.Equal("first", claim.Environment);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(other.Id, next!.RunId);
        Assert.Contains("disk full", (await h.User.WaitForStatusAsync(failing.Id, RunStatuses.Failed)).Error, StringComparison.Ordinal);
        Assert.Equal(runner.RunnerId, await h.Database.ScalarAsync<Guid>("SELECT runner_id FROM steps WHERE id = @StepId AND status = 'running'", new { next.StepId }));
    }

    [Fact]
    public async Task Complete_WithClaimNext_AndAStaleOrForgedToken_Is409AndClaimsNothing()
    {
        await using var h = await Harness.StartAsync();
        using var runner = await h.RunnerAsync();
        await h.User.CreateEnvironmentAsync("first");
        await h.User.CreateEnvironmentAsync("second");
        await h.User.ApplyAsync(Specs.Local("first"));
        await h.User.ApplyAsync(Specs.Local("second"));
        var done = await runner.ClaimRequiredAsync();
        (await runner.CompleteAsync(done)).Dispose();
        var held = await runner.ClaimRequiredAsync();

        var stale = await runner.CompleteAndClaimNextAsync(done);
        var forged = await runner.CompleteAndClaimNextAsync(held with { LeaseToken = Guid.NewGuid() });

        Assert.Equal(HttpStatusCode.Conflict, stale.Status);
        Assert.Equal(HttpStatusCode.Conflict, forged.Status);
        // Of the two steps ready before (the second environment's first, the first environment's next), one is held and
        // the other is still ready: nothing more was claimed.
        Assert.Equal([held.StepId], await h.Database.QueryAsync<Guid>("SELECT id FROM steps WHERE status = 'running'"));
        Assert.Equal(1, await h.Database.ScalarAsync<long>("SELECT count(*) FROM steps WHERE status = 'ready'"));
    }

    [Fact]
    public async Task Heartbeat_LeavesAFreshLeaseAsItIs_RenewsItWhenDue_AndAlwaysKeepsOutputs()
    {
        // Leases last 3 s here; one is due for renewal once less than 2.25 s of it is left.
        await using var h = await Harness.StartAsync();
        using var runner = await h.RunnerAsync();
        await h.User.ApplyAsync(Specs.Local());
        var claim = await runner.ClaimRequiredAsync();
        var claimed = await LeaseAsync(h, claim);

        var fresh = await HeartbeatAsync(runner, claim);
        var unchanged = await LeaseAsync(h, claim);
        using (var withOutputs = await runner.Http.PostAsJsonAsync($"/api/steps/{claim.StepId}/heartbeat",
                   new HeartbeatRequest(claim.LeaseToken, new JsonObject { ["operation"] = "op-1" }), ContractJson.Options))
            Assert.Equal(HttpStatusCode.OK, withOutputs.StatusCode);
        var outputs = await h.Database.ScalarAsync<string>("SELECT outputs->>'operation' FROM steps WHERE id = @StepId", new { claim.StepId });
        await Task.Delay(TimeSpan.FromSeconds(1.2));
        var due = await HeartbeatAsync(runner, claim);

        Assert.Equal(claimed, unchanged);
        Assert.Equal(claimed, fresh.LeaseExpiresAt, TimeSpan.FromMilliseconds(1));
        Assert.Equal("op-1", outputs);
        Assert.True(due.LeaseExpiresAt > claimed.AddSeconds(1), $"renewed to {due.LeaseExpiresAt:O}, claimed until {claimed:O}");
        Assert.Equal(due.LeaseExpiresAt, await LeaseAsync(h, claim), TimeSpan.FromMilliseconds(1));
    }

    private static async Task<HeartbeatResponse> HeartbeatAsync(ProtocolClient runner, StepClaim claim)
    {
        using var beat = await runner.HeartbeatAsync(claim);
        Assert.Equal(HttpStatusCode.OK, beat.StatusCode);
        return (await beat.Content.ReadFromJsonAsync<HeartbeatResponse>(ContractJson.Options))!;
    }

    private static async Task<DateTimeOffset> LeaseAsync(Harness h, StepClaim claim) =>
        new(DateTime.SpecifyKind(await h.Database.ScalarAsync<DateTime>("SELECT lease_expires_at FROM steps WHERE id = @StepId", new { claim.StepId }), DateTimeKind.Utc));

}
