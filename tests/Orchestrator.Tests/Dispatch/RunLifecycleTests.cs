using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Contracts;
using Contracts.Protocol;
using Orchestrator.Tests.Infrastructure;

namespace Orchestrator.Tests.Dispatch;

public sealed class RunLifecycleTests
{
    [Fact]
    public async Task Run_RunnerCompletesEveryStep_RunSucceedsWithOutputsPassedOnAndStateMerged()
    {
        await using var h = await Harness.StartAsync();
        using var runner = await h.RunnerAsync();
        var run = await h.User.ApplyAsync(Specs.Local());

        var claims = await runner.DrainAsync(h.User, [run.Id], outputs: claim =>
        {
            var outputs = new JsonObject { ["did"] = claim.Name };
            if (claim.Kind == StepKinds.RevisionPromote)
                outputs["environment"] = new JsonObject { ["stableRevision"] = claim.Revision, ["frontUrl"] = "http://127.0.0.1:9" };
            return outputs;
        });

        var done = await h.User.WaitForStatusAsync(run.Id, RunStatuses.Succeeded);
        Assert.Equal(["checkpoint.convert", "engine.deploy", "traffic.shift", "revision.promote", "cleanup"], claims.Select(c => c.Name));
        Assert.All(done.Steps!, s => Assert.Equal(StepStatuses.Succeeded, s.Status));
        Assert.Equal("engine.deploy", claims[2].Inputs["engine.deploy"]!["did"]!.GetValue<string>());
        Assert.Equal("r1", claims[^1].Inputs["environment"]!["stableRevision"]!.GetValue<string>());
        Assert.Equal("llama-3", claims[0].Spec["model"]!["family"]!.GetValue<string>());
        var environment = await h.User.Http.GetFromJsonAsync<JsonObject>("/api/environments/local");
        Assert.Equal("r1", environment!["state"]!["stableRevision"]!.GetValue<string>());
        Assert.Equal(1, await h.Database.ScalarAsync<long>("SELECT count(*) FROM audit WHERE action = 'run.create' AND run_id = @Id", new { run.Id }));
    }

    [Fact]
    public async Task Claim_WaitingRunner_IsWokenAtOnceWhenWorkArrives()
    {
        // A long re-check interval: only the wake-up signal can make this fast.
        await using var h = await Harness.StartAsync("--Dispatch:ClaimRecheckMilliseconds", "20000");
        using var runner = await h.RunnerAsync();
        var waiting = runner.ClaimAsync(30);
        await Task.Delay(500);
        var started = DateTime.UtcNow;

        await h.User.ApplyAsync(Specs.Local());
        var claim = await waiting;

        Assert.NotNull(claim);
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(5), $"woken after {DateTime.UtcNow - started}");
    }

    [Fact]
    public async Task Claim_NoWork_Answers204AfterTheWait()
    {
        await using var h = await Harness.StartAsync();
        using var runner = await h.RunnerAsync();
        var started = DateTime.UtcNow;

        Assert.Null(await runner.ClaimAsync(1));
        Assert.True(DateTime.UtcNow - started >= TimeSpan.FromSeconds(0.9));
    }

    [Fact]
    public async Task StaleLeaseToken_AfterCompletion_Is409Everywhere()
    {
        await using var h = await Harness.StartAsync();
        using var runner = await h.RunnerAsync();
        await h.User.ApplyAsync(Specs.Local());
        var claim = await runner.ClaimRequiredAsync();
        (await runner.CompleteAsync(claim)).Dispose();

        using var heartbeat = await runner.HeartbeatAsync(claim);
        using var logs = await runner.LogAsync(claim, "late");
        using var complete = await runner.CompleteAsync(claim, StepStatuses.Failed);
        using var release = await runner.ReleaseAsync(claim);
        using var forged = await runner.CompleteAsync(claim with { LeaseToken = Guid.NewGuid() });

        Assert.All(new[] { heartbeat, logs, complete, release, forged }, r =>
        {
            Assert.Equal(HttpStatusCode.Conflict, r.StatusCode);
            Assert.Equal("application/problem+json", r.Content.Headers.ContentType?.MediaType);
        });
        Assert.Equal(0, await h.Database.ScalarAsync<long>("SELECT count(*) FROM step_logs"));
    }

    [Fact]
    public async Task ExpiredLease_BecomesANewAttempt_AndFailsTheRunAfterTheLimit()
    {
        await using var h = await Harness.StartAsync("--Dispatch:MaxAttempts", "2");
        using var crashed = await h.RunnerAsync("crashed");
        using var second = await h.RunnerAsync("second");
        var run = await h.User.ApplyAsync(Specs.Local());

        var first = await crashed.ClaimRequiredAsync();
        var retried = await second.ClaimRequiredAsync(30); // after the 3 s lease expires and the backoff passes
        using var staleHeartbeat = await crashed.HeartbeatAsync(first);
        var failed = await h.User.WaitForStatusAsync(run.Id, RunStatuses.Failed, 40);

        Assert.Equal(first.StepId, retried.StepId);
        Assert.Equal(2, retried.Attempt);
        Assert.Equal(HttpStatusCode.Conflict, staleHeartbeat.StatusCode);
        Assert.Contains("lease expired", failed.Error, StringComparison.Ordinal);
        Assert.Contains("checkpoint.convert", failed.Error, StringComparison.Ordinal);
        Assert.Equal(StepStatuses.Failed, failed.Steps![0].Status);
        Assert.All(failed.Steps.Skip(1), s => Assert.Equal(StepStatuses.Cancelled, s.Status));
    }

    [Fact]
    public async Task Heartbeat_KeepsTheLeaseAlive_PastItsDuration()
    {
        await using var h = await Harness.StartAsync();
        using var runner = await h.RunnerAsync();
        await h.User.ApplyAsync(Specs.Local());
        var claim = await runner.ClaimRequiredAsync();

        for (var i = 0; i < 6; i++)
        {
            await Task.Delay(1000);
            using var beat = await runner.HeartbeatAsync(claim);
            Assert.Equal(HttpStatusCode.OK, beat.StatusCode);
        }
        using var completed = await runner.CompleteAsync(claim);
        Assert.Equal(HttpStatusCode.NoContent, completed.StatusCode);
    }

    [Fact]
    public async Task StepTimeout_EndsTheAttemptEvenWhileHeartbeating()
    {
        await using var h = await Harness.StartAsync("--Dispatch:MaxAttempts", "1");
        using var runner = await h.RunnerAsync();
        var run = await h.User.ApplyAsync(Specs.Local());
        var claim = await runner.ClaimRequiredAsync();
        await h.Database.ExecuteAsync("UPDATE steps SET timeout_seconds = 1 WHERE id = @StepId", new { claim.StepId });

        HttpStatusCode status;
        var deadline = DateTime.UtcNow.AddSeconds(20);
        do
        {
            await Task.Delay(300);
            using var beat = await runner.HeartbeatAsync(claim);
            status = beat.StatusCode;
        }
        while (status == HttpStatusCode.OK && DateTime.UtcNow < deadline);

        Assert.Equal(HttpStatusCode.Conflict, status);
        var failed = await h.User.WaitForStatusAsync(run.Id, RunStatuses.Failed);
        Assert.Contains("timed out", failed.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task FailedOutcome_IsRetriedWithBackoff_ThenFailsTheRun()
    {
        await using var h = await Harness.StartAsync("--Dispatch:MaxAttempts", "2");
        using var runner = await h.RunnerAsync();
        var run = await h.User.ApplyAsync(Specs.Local());

        var first = await runner.ClaimRequiredAsync();
        (await runner.CompleteAsync(first, StepStatuses.Failed, error: "disk full")).Dispose();
        var second = await runner.ClaimRequiredAsync();
        (await runner.CompleteAsync(second, StepStatuses.Failed, error: "disk still full")).Dispose();

        var failed = await h.User.WaitForStatusAsync(run.Id, RunStatuses.Failed);
        Assert.Equal(first.StepId, second.StepId);
        Assert.Equal(2, second.Attempt);
        Assert.Contains("disk still full", failed.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Release_HandsTheStepBackWithoutUsingAnAttempt()
    {
        await using var h = await Harness.StartAsync("--Dispatch:MaxAttempts", "1");
        using var leaving = await h.RunnerAsync("leaving");
        using var staying = await h.RunnerAsync("staying");
        var run = await h.User.ApplyAsync(Specs.Local());

        var claim = await leaving.ClaimRequiredAsync();
        using var released = await leaving.ReleaseAsync(claim);
        var again = await staying.ClaimRequiredAsync(5);
        using var completed = await staying.CompleteAsync(again);

        Assert.Equal(HttpStatusCode.NoContent, released.StatusCode);
        Assert.Equal(claim.StepId, again.StepId);
        Assert.Equal(HttpStatusCode.NoContent, completed.StatusCode);
        Assert.Equal(RunStatuses.Running, (await h.User.GetRunAsync(run.Id)).Status);
    }
}
