using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Contracts;
using Contracts.Protocol;
using Orchestrator.Runs;
using Orchestrator.Tests.Infrastructure;

namespace Orchestrator.Tests.Canary;

/// <summary>Canary runs end decided: rolled back on failure, abort, cancel or deadline; paused for a person when
/// inconclusive; gated by approvals. Driven through the real runner protocol against a real orchestrator.</summary>
public sealed class CanaryDecisionTests
{
    private static JsonObject Metric(string name = "errors") => new()
    {
        ["name"] = name, ["source"] = "probe", ["measure"] = "errorRate", ["max"] = 0.01, ["count"] = 1, ["interval"] = "1s",
    };

    private static JsonObject CanarySpec(params JsonObject[] steps) => CanarySpecWith(null, steps);

    private static JsonObject CanarySpecWith(Action<JsonObject>? canary, params JsonObject[] steps)
    {
        var spec = Specs.Local();
        var strategy = new JsonObject { ["steps"] = new JsonArray(steps.Select(s => (JsonNode)s).ToArray()) };
        canary?.Invoke(strategy);
        spec["strategy"] = new JsonObject { ["canary"] = strategy };
        return spec;
    }

    private static JsonObject Weight(int weight) => new() { ["weight"] = weight };

    private static JsonObject Analysis() => new() { ["analysis"] = new JsonObject { ["metrics"] = new JsonArray(Metric()) } };

    // A first rollout that succeeds makes r1 stable, so that the next rollout is a canary.
    private static async Task StableAsync(Harness h, ProtocolClient runner)
    {
        var first = await h.User.ApplyAsync(Specs.Local());
        await runner.DrainAsync(h.User, [first.Id], outputs: claim => claim.Kind == StepKinds.RevisionPromote
            ? new JsonObject { ["environment"] = new JsonObject { ["stableRevision"] = claim.Revision, ["frontUrl"] = "http://127.0.0.1:9" } }
            : null);
        await h.User.WaitForStatusAsync(first.Id, RunStatuses.Succeeded);
    }

    // Completes claimed steps as succeeded until one of the given kind is claimed, which is returned unanswered.
    private static async Task<StepClaim> RunUntilAsync(ProtocolClient runner, string name)
    {
        for (var i = 0; i < 20; i++)
        {
            var claim = await runner.ClaimRequiredAsync();
            if (claim.Name == name) return claim;
            (await runner.CompleteAsync(claim)).Dispose();
        }
        throw new Xunit.Sdk.XunitException($"step {name} was never offered");
    }

    // Completes every step offered as succeeded until none is left to claim (the run waits for something).
    private static async Task CompleteUntilIdleAsync(ProtocolClient runner)
    {
        while (await runner.ClaimAsync(1) is { } claim) (await runner.CompleteAsync(claim)).Dispose();
    }

    private static JsonObject RolledBack(StepClaim claim) => new()
    {
        ["environment"] = new JsonObject { ["stableRevision"] = "r1", ["canaryWeight"] = 0, ["lastRollback"] = new JsonObject { ["revision"] = claim.Revision, ["reason"] = "x" } },
    };

    private static async Task<HttpResponseMessage> PostAsync(Harness h, string path) => await h.User.Http.PostAsync(path, null);

    [Fact]
    public async Task FailedAnalysis_RollsBackAtOnce_RunFailsWithTheReasonAndTheEventRecordsTheAnalysis()
    {
        await using var h = await Harness.StartAsync();
        using var runner = await h.RunnerAsync();
        await StableAsync(h, runner);
        var run = await h.User.ApplyAsync(CanarySpec(Weight(10), Analysis(), Weight(50)));

        var analysis = await RunUntilAsync(runner, "canary.analyze");
        Assert.Equal("errorRate", analysis.Parameters["analysis"]!["metrics"]![0]!["measure"]!.GetValue<string>());
        var outputs = new JsonObject { ["analysis"] = new JsonObject { ["phase"] = "Failed", ["message"] = "errors 0.2 > max 0.01" } };
        (await runner.CompleteAsync(analysis, StepStatuses.Failed, outputs, "metric errors failed: 0.2 > max 0.01")).Dispose();

        var rolling = await h.User.GetRunAsync(run.Id);
        Assert.Equal(RunStatuses.Running, rolling.Status);
        Assert.True(rolling.RollingBack);
        Assert.Contains("canary.analyze failed", rolling.Error);
        Assert.Equal(StepStatuses.Cancelled, rolling.Steps!.Single(s => s.Name == "traffic.shift-2").Status);
        var rollback = await runner.ClaimRequiredAsync();
        Assert.Equal(StepKinds.RevisionRollback, rollback.Kind);
        Assert.Contains("0.2 > max 0.01", rollback.Parameters["reason"]!.GetValue<string>());
        Assert.Equal("canary.analyze", rollback.Parameters["cause"]!.GetValue<string>());
        (await runner.CompleteAsync(rollback, outputs: RolledBack(rollback))).Dispose();

        var done = await h.User.WaitForStatusAsync(run.Id, RunStatuses.Failed);
        Assert.False(done.RollingBack);
        Assert.Contains("0.2 > max 0.01", done.Error);
        Assert.Equal(StepStatuses.Cancelled, done.Steps!.Single(s => s.Kind == StepKinds.Cleanup).Status);
        Assert.Null(await runner.ClaimAsync());
        var details = await h.Database.ScalarAsync<string>("SELECT details::text FROM environment_events WHERE run_id = @Id AND kind = 'rollback'", new { run.Id });
        var evt = JsonNode.Parse(details)!;
        Assert.Equal("Failed", evt["analysis"]!["phase"]!.GetValue<string>());
        Assert.Equal("r2", evt["revision"]!.GetValue<string>());
        var environment = await h.User.Http.GetFromJsonAsync<JsonObject>("/api/environments/local");
        Assert.Equal("r1", environment!["state"]!["stableRevision"]!.GetValue<string>());
        Assert.Equal("r2", environment["state"]!["lastRollback"]!["revision"]!.GetValue<string>());
        var listed = await h.User.Http.GetFromJsonAsync<JsonArray>("/api/environments/local/events");
        Assert.Equal("rollback", Assert.Single(listed!)!["kind"]!.GetValue<string>());
        using var missing = await h.User.Http.GetAsync("/api/environments/nowhere/events");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }

    [Fact]
    public async Task Inconclusive_PausesForAPerson_PromoteGoesOn_PromoteWhenNotPausedIs409()
    {
        await using var h = await Harness.StartAsync();
        using var runner = await h.RunnerAsync();
        await StableAsync(h, runner);
        var run = await h.User.ApplyAsync(CanarySpec(Weight(10), Analysis(), Weight(50)));

        using (var early = await PostAsync(h, "/api/environments/local/promote"))
        {
            Assert.Equal(HttpStatusCode.Conflict, early.StatusCode);
            Assert.Contains("not paused", await early.Content.ReadAsStringAsync());
        }
        var analysis = await RunUntilAsync(runner, "canary.analyze");
        (await runner.CompleteAsync(analysis, StepOutcomes.Inconclusive, error: "no traffic reached the canary")).Dispose();

        var paused = await h.User.GetRunAsync(run.Id);
        var waiting = paused.Steps!.Single(s => s.Name == "canary.analyze");
        Assert.Equal(StepStatuses.Waiting, waiting.Status);
        Assert.Equal("no traffic reached the canary", waiting.Error);
        Assert.Null(await runner.ClaimAsync());

        var promoted = await h.User.PostAsync("/api/environments/local/promote");
        var decided = promoted.Steps!.Single(s => s.Name == "canary.analyze");
        Assert.Equal(StepStatuses.Succeeded, decided.Status);
        Assert.False(string.IsNullOrEmpty(decided.DecidedBy));
        Assert.NotNull(decided.DecidedAt);
        Assert.Equal("traffic.shift-2", (await runner.ClaimRequiredAsync()).Name);
    }

    [Fact]
    public async Task Abort_PausedCanary_RollsBackAndFails()
    {
        await using var h = await Harness.StartAsync();
        using var runner = await h.RunnerAsync();
        await StableAsync(h, runner);
        var run = await h.User.ApplyAsync(CanarySpec(Weight(10), new JsonObject { ["pause"] = new JsonObject() }, Weight(50)));

        await CompleteUntilIdleAsync(runner);
        var paused = await h.User.GetRunAsync(run.Id);
        Assert.Equal(StepStatuses.Waiting, paused.Steps!.Single(s => s.Name == "canary.pause").Status);

        var aborted = await h.User.PostAsync("/api/environments/local/abort");
        Assert.True(aborted.RollingBack);
        Assert.Contains("aborted by", aborted.Error);
        var rollback = await runner.ClaimRequiredAsync();
        Assert.Equal(StepKinds.RevisionRollback, rollback.Kind);
        (await runner.CompleteAsync(rollback, outputs: RolledBack(rollback))).Dispose();
        await h.User.WaitForStatusAsync(run.Id, RunStatuses.Failed);
        using var again = await PostAsync(h, "/api/environments/local/abort");
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        Assert.Equal(1, await h.Database.ScalarAsync<long>("SELECT count(*) FROM audit WHERE action = 'canary.abort' AND run_id = @Id", new { run.Id }));
    }

    [Fact]
    public async Task PromoteFull_SkipsTheRemainingCanarySteps()
    {
        await using var h = await Harness.StartAsync();
        using var runner = await h.RunnerAsync();
        await StableAsync(h, runner);
        var run = await h.User.ApplyAsync(CanarySpec(Weight(10), new JsonObject { ["pause"] = new JsonObject() }, Weight(50), Analysis(), new JsonObject { ["pause"] = "1h" }));

        await CompleteUntilIdleAsync(runner);
        var promoted = await h.User.PostAsync("/api/environments/local/promote?full=true");

        Assert.Equal(StepStatuses.Skipped, promoted.Steps!.Single(s => s.Name == "traffic.shift-2").Status);
        Assert.Equal(StepStatuses.Skipped, promoted.Steps!.Single(s => s.Name == "canary.analyze").Status);
        Assert.Equal(StepStatuses.Skipped, promoted.Steps!.Single(s => s.Name == "canary.pause-2").Status);
        var next = await runner.ClaimRequiredAsync();
        Assert.Equal("traffic.shift-3", next.Name);
        Assert.Equal(100, next.Parameters["weight"]!.GetValue<int>());
        await runner.DrainAsync(h.User, [run.Id]);
        var done = await h.User.WaitForStatusAsync(run.Id, RunStatuses.Succeeded);
        Assert.Equal(StepStatuses.Skipped, done.Steps!.Single(s => s.Kind == StepKinds.RevisionRollback).Status);
    }

    [Fact]
    public async Task ApprovalGate_BlocksUntilApproved_AndRecordsWho()
    {
        await using var h = await Harness.StartAsync();
        using var runner = await h.RunnerAsync();
        using (var put = await h.User.Http.PutAsJsonAsync("/api/environments/prod", new { targetKind = "local", approval = new { required = true } }))
            Assert.True(put.IsSuccessStatusCode, await put.Content.ReadAsStringAsync());
        var run = await h.User.ApplyAsync(Specs.Local("prod"));

        Assert.Null(await runner.ClaimAsync(1));
        var waiting = await h.User.GetRunAsync(run.Id);
        Assert.Equal(StepStatuses.Waiting, waiting.Steps![0].Status);
        Assert.Equal(StepKinds.Approval, waiting.Steps[0].Kind);
        using (var promote = await PostAsync(h, "/api/environments/prod/promote"))
            Assert.Equal(HttpStatusCode.Conflict, promote.StatusCode);

        var approved = await h.User.PostAsync($"/api/runs/{run.Id}/approve");
        Assert.False(string.IsNullOrEmpty(approved.Steps![0].DecidedBy));
        Assert.NotNull(approved.Steps[0].DecidedAt);
        Assert.Equal(StepKinds.CheckpointConvert, (await runner.ClaimRequiredAsync()).Kind);
        using var twice = await PostAsync(h, $"/api/runs/{run.Id}/approve");
        Assert.Equal(HttpStatusCode.Conflict, twice.StatusCode);
        Assert.Equal(1, await h.Database.ScalarAsync<long>("SELECT count(*) FROM audit WHERE action = 'run.approve' AND run_id = @Id", new { run.Id }));
    }

    [Fact]
    public async Task ProgressDeadline_AbortsACanaryLeftPaused()
    {
        await using var h = await Harness.StartAsync("--Dispatch:SweepIntervalMilliseconds", "200");
        using var runner = await h.RunnerAsync();
        await StableAsync(h, runner);
        var run = await h.User.ApplyAsync(CanarySpecWith(c => c["progressDeadline"] = "2s", Weight(10), new JsonObject { ["pause"] = new JsonObject() }));

        await CompleteUntilIdleAsync(runner);
        var rollback = await runner.ClaimRequiredAsync(waitSeconds: 15);

        Assert.Equal(StepKinds.RevisionRollback, rollback.Kind);
        Assert.Contains("progress deadline", rollback.Parameters["reason"]!.GetValue<string>());
        (await runner.CompleteAsync(rollback, outputs: RolledBack(rollback))).Dispose();
        var done = await h.User.WaitForStatusAsync(run.Id, RunStatuses.Failed);
        Assert.Equal(StepStatuses.Cancelled, done.Steps!.Single(s => s.Name == "canary.pause").Status);
    }

    [Fact]
    public async Task BackgroundAnalysis_IsAskedToFinishWhenTheCanaryIsDone_AndItsFailureRollsBackDuringAPause()
    {
        await using var h = await Harness.StartAsync();
        using var runner = await h.RunnerAsync();
        using var watcher = await h.RunnerAsync("watcher", "local");
        await StableAsync(h, runner);
        JsonObject Background(JsonObject c) { c["backgroundAnalysis"] = new JsonObject { ["metrics"] = new JsonArray(Metric()) }; return c; }

        // Finishing: once the last canary step is done, the heartbeat asks the background analysis to end.
        var run = await h.User.ApplyAsync(CanarySpecWith(c => Background(c), Weight(10), Weight(50)));
        (await runner.CompleteAsync(await RunUntilAsync(runner, "traffic.shift"))).Dispose();
        // The background analysis and the next canary step both follow the first shift.
        var pair = new[] { await runner.ClaimRequiredAsync(), await runner.ClaimRequiredAsync() };
        var background = pair.Single(c => c.Kind == StepKinds.CanaryAnalyze);
        var shift2 = pair.Single(c => c.Name == "traffic.shift-2");
        Assert.True(background.Parameters["background"]!.GetValue<bool>());
        Assert.False((await HeartbeatAsync(watcher, background)).FinishRequested);
        (await runner.CompleteAsync(shift2)).Dispose();
        Assert.True((await HeartbeatAsync(watcher, background)).FinishRequested);
        Assert.Null(await runner.ClaimAsync());
        (await watcher.CompleteAsync(background)).Dispose();
        Assert.Equal("traffic.shift-3", (await runner.ClaimRequiredAsync()).Name);
        await runner.DrainAsync(h.User, [run.Id]);
        await h.User.WaitForStatusAsync(run.Id, RunStatuses.Succeeded);

        // Failing: during a long pause, the background analysis fails and the canary rolls back at once.
        var second = await h.User.ApplyAsync(CanarySpecWith(c => Background(c), Weight(10), new JsonObject { ["pause"] = "1h" }, Weight(50)));
        (await runner.CompleteAsync(await RunUntilAsync(runner, "traffic.shift"))).Dispose();
        // The pause is the orchestrator's own: the background analysis is the one step a runner can take now.
        var watching = await runner.ClaimRequiredAsync();
        Assert.Equal(StepKinds.CanaryAnalyze, watching.Kind);
        (await watcher.CompleteAsync(watching, StepStatuses.Failed, error: "metric errors failed: 0.5 > max 0.01")).Dispose();
        var rollback = await runner.ClaimRequiredAsync();
        Assert.Equal(StepKinds.RevisionRollback, rollback.Kind);
        Assert.Equal(StepStatuses.Cancelled, (await h.User.GetRunAsync(second.Id)).Steps!.Single(s => s.Name == "canary.pause").Status);
    }

    [Fact]
    public async Task Cancel_CanaryRun_RollsBackFirstAndEndsCancelled()
    {
        await using var h = await Harness.StartAsync();
        using var runner = await h.RunnerAsync();
        using var other = await h.RunnerAsync("other", "local");
        await StableAsync(h, runner);
        var run = await h.User.ApplyAsync(CanarySpec(Weight(10), Weight(50)));
        var shift = await RunUntilAsync(runner, "traffic.shift-2");

        var cancelled = await h.User.PostAsync($"/api/runs/{run.Id}/cancel");
        Assert.True(cancelled.RollingBack);
        // The rollback waits for the traffic step that is still running; that step is told to stop.
        Assert.Null(await other.ClaimAsync());
        Assert.True((await HeartbeatAsync(runner, shift)).CancelRequested);
        (await runner.CompleteAsync(shift, StepStatuses.Cancelled)).Dispose();
        var rollback = await other.ClaimRequiredAsync();
        Assert.Equal(StepKinds.RevisionRollback, rollback.Kind);
        Assert.False((await HeartbeatAsync(other, rollback)).CancelRequested);
        (await other.CompleteAsync(rollback, outputs: RolledBack(rollback))).Dispose();
        await h.User.WaitForStatusAsync(run.Id, RunStatuses.Cancelled);
    }

    private static async Task<HeartbeatResponse> HeartbeatAsync(ProtocolClient runner, StepClaim claim)
    {
        using var response = await runner.HeartbeatAsync(claim);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<HeartbeatResponse>(ContractJson.Options))!;
    }
}
