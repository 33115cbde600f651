using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Contracts;
using Contracts.Protocol;
using Orchestrator.Tests.Infrastructure;

namespace Orchestrator.Tests.Dispatch;

public sealed class CancelRetryTests
{
    [Fact]
    public async Task Cancel_RunningRun_ReachesTheRunnerOnItsNextHeartbeat()
    {
        await using var h = await Harness.StartAsync();
        using var runner = await h.RunnerAsync();
        var run = await h.User.ApplyAsync(Specs.Local());
        var claim = await runner.ClaimRequiredAsync();

        var cancelled = await h.User.PostAsync($"/api/runs/{run.Id}/cancel");
        using var beat = await runner.HeartbeatAsync(claim);
        var response = await beat.Content.ReadFromJsonAsync<HeartbeatResponse>(ContractJson.Options);
        using var completed = await runner.CompleteAsync(claim, StepStatuses.Cancelled, error: "stopped");
        var after = await h.User.GetRunAsync(run.Id);

        Assert.Equal(RunStatuses.Cancelled, cancelled.Status);
        Assert.Equal(StepStatuses.Running, cancelled.Steps![0].Status);
        Assert.All(cancelled.Steps.Skip(1), s => Assert.Equal(StepStatuses.Cancelled, s.Status));
        Assert.True(response!.CancelRequested);
        Assert.Equal(HttpStatusCode.NoContent, completed.StatusCode);
        Assert.Equal(StepStatuses.Cancelled, after.Steps![0].Status);
        Assert.Null(await runner.ClaimAsync(0));
        Assert.Equal(1, await h.Database.ScalarAsync<long>("SELECT count(*) FROM audit WHERE action = 'run.cancel'"));
    }

    [Fact]
    public async Task Cancel_FinishedRun_Is409()
    {
        await using var h = await Harness.StartAsync();
        var run = await h.User.ApplyAsync(Specs.Local());
        (await h.User.PostAsync($"/api/runs/{run.Id}/cancel")).ToString();

        using var again = await h.User.Http.PostAsync($"/api/runs/{run.Id}/cancel", null);

        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        Assert.Equal("application/problem+json", again.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Retry_FailedRun_ResumesFromTheFailedStepKeepingSucceededOnes()
    {
        await using var h = await Harness.StartAsync("--Dispatch:MaxAttempts", "1");
        using var runner = await h.RunnerAsync();
        var run = await h.User.ApplyAsync(Specs.Local());
        var convert = await runner.ClaimRequiredAsync();
        (await runner.CompleteAsync(convert, outputs: new JsonObject { ["checksum"] = "abc" })).Dispose();
        var deploy = await runner.ClaimRequiredAsync();
        (await runner.CompleteAsync(deploy, StepStatuses.Failed, outputs: new JsonObject { ["operation"] = "op-1" }, error: "port in use")).Dispose();
        await h.User.WaitForStatusAsync(run.Id, RunStatuses.Failed);

        var retried = await h.User.PostAsync($"/api/runs/{run.Id}/retry");
        var redeploy = await runner.ClaimRequiredAsync();
        (await runner.CompleteAsync(redeploy)).Dispose();
        var rest = await runner.DrainAsync(h.User, [run.Id]);
        var done = await h.User.WaitForStatusAsync(run.Id, RunStatuses.Succeeded);

        Assert.Equal(RunStatuses.Running, retried.Status);
        Assert.Equal(StepStatuses.Succeeded, retried.Steps![0].Status);
        Assert.Equal(deploy.StepId, redeploy.StepId);
        Assert.Equal(2, redeploy.Attempt);
        Assert.Equal("op-1", redeploy.PreviousOutputs["operation"]!.GetValue<string>());
        Assert.Equal("abc", redeploy.Inputs["checkpoint.convert"]!["checksum"]!.GetValue<string>());
        Assert.Equal(["traffic.shift", "revision.promote", "cleanup"], rest.Select(c => c.Name));
        Assert.Equal(1, done.Steps![0].Attempt);
        Assert.Equal(1, await h.Database.ScalarAsync<long>("SELECT count(*) FROM audit WHERE action = 'run.retry'"));
    }

    [Fact]
    public async Task Retry_RunThatDidNotFail_Is409()
    {
        await using var h = await Harness.StartAsync();
        var run = await h.User.ApplyAsync(Specs.Local());

        using var response = await h.User.Http.PostAsync($"/api/runs/{run.Id}/retry", null);

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
    }

    [Fact]
    public async Task Retry_CancelledRun_RunsAgainToSuccess()
    {
        await using var h = await Harness.StartAsync();
        using var runner = await h.RunnerAsync();
        var run = await h.User.ApplyAsync(Specs.Local());
        await h.User.PostAsync($"/api/runs/{run.Id}/cancel");

        await h.User.PostAsync($"/api/runs/{run.Id}/retry");
        var steps = await runner.DrainAsync(h.User, [run.Id]);

        Assert.Equal(5, steps.Count);
        await h.User.WaitForStatusAsync(run.Id, RunStatuses.Succeeded);
    }
}
