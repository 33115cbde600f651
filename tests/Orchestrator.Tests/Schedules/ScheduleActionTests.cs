using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Contracts;
using Orchestrator.Tests.Infrastructure;

namespace Orchestrator.Tests.Schedules;

/// <summary>What each action of a fired schedule starts: teardown (the environment's latest rollout's resources),
/// reprovision (its last succeeded apply again), apply with the model revision filled in — and a fire that can start
/// nothing says why.</summary>
public sealed class ScheduleActionTests
{
    private static readonly string[] Fast = ["--Scheduling:MisfireThresholdSeconds", "1"];

    [Fact]
    public async Task Teardown_ThenReprovision_OfAGkeEnvironment()
    {
        await using var h = await Harness.StartAsync(Fast);
        using var runner = await h.RunnerAsync("gke-runner", "gke");
        var first = await CostGuardTests.SucceedAsync(h, runner, CostGuardTests.Gke("72h"));

        var teardown = await FireOnceAsync(h, new { environment = "prod", cron = "0/2 * * * * ?", action = "teardown" });
        await runner.DrainAsync(h.User, [teardown.Id]);
        var reprovision = await FireOnceAsync(h, new { environment = "prod", cron = "0/2 * * * * ?", action = "reprovision" });

        Assert.Equal("teardown", teardown.Trigger.Details!["action"]);
        Assert.Equal([StepKinds.Teardown], teardown.Steps!.Select(s => s.Kind));
        Assert.Equal(RunStatuses.Succeeded, (await h.User.GetRunAsync(teardown.Id)).Status);
        Assert.Equal("reprovision", reprovision.Trigger.Details!["action"]);
        Assert.DoesNotContain(reprovision.Steps!, s => s.Kind == StepKinds.Teardown);
        Assert.Equal(first.Steps!.Select(s => s.Kind), reprovision.Steps!.Select(s => s.Kind));
        Assert.Equal("hf://google/gemma-7b-it-pytorch", await SourceAsync(h, reprovision.Id));
    }

    [Fact]
    public async Task Apply_FillsTheModelRevision()
    {
        await using var h = await Harness.StartAsync(Fast);
        var spec = Specs.Local();
        spec["model"]!["source"] = "hf://org/model@{revision}";

        var run = await FireOnceAsync(h, new { environment = "local", cron = "0/2 * * * * ?", action = "apply", spec, modelRevision = "v3" });

        Assert.Equal("hf://org/model@v3", await SourceAsync(h, run.Id));
    }

    [Fact]
    public async Task Reprovision_WithNothingToApply_StartsNothing_AndTheFireSaysWhy()
    {
        await using var h = await Harness.StartAsync(Fast);
        var id = await ScheduleFiringTests.CreateAsync(h.User, new { environment = "local", cron = "0/2 * * * * ?", action = "reprovision" });

        var fire = await Eventually.ValueAsync(async () =>
            (await h.User.Http.GetFromJsonAsync<JsonObject>($"/api/schedules/{id}"))!["lastFires"]!.AsArray().FirstOrDefault(), "a fire");
        await h.User.Http.DeleteAsync($"/api/schedules/{id}");

        Assert.Null(fire!["runId"]);
        Assert.Equal("the environment has no succeeded rollout to apply again", (string?)fire["outcome"]);
        Assert.Empty(await ScheduleFiringTests.ScheduleRunsAsync(h.Database, id));
    }

    // Creates the schedule, waits for its first run and deletes it, so that it starts no other.
    private static async Task<Orchestrator.Runs.RunDto> FireOnceAsync(Harness h, object request)
    {
        var id = await ScheduleFiringTests.CreateAsync(h.User, request);
        var fired = await Eventually.ValueAsync(async () => (await ScheduleFiringTests.ScheduleRunsAsync(h.Database, id)).FirstOrDefault(), "a run of the schedule");
        await h.User.Http.DeleteAsync($"/api/schedules/{id}");
        return await h.User.GetRunAsync(fired.Id);
    }

    private static Task<string> SourceAsync(Harness h, Guid runId) => h.Database.ScalarAsync<string>(
        "SELECT ro.spec->'model'->>'source' FROM rollouts ro JOIN runs r ON r.rollout_id = ro.id WHERE r.id = @runId", new { runId });
}
