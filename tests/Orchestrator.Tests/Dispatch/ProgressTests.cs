using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Contracts;
using Contracts.Protocol;
using Orchestrator.Tests.Infrastructure;

namespace Orchestrator.Tests.Dispatch;

/// <summary>Progress a runner reports with a heartbeat: shown on the step at once, refused by field when wrong, and
/// gone when a new attempt starts.</summary>
public sealed class ProgressTests
{
    [Fact]
    public async Task Heartbeat_WithProgress_ShowsOnTheStepAtOnce_TheLatestReplacesIt_ANewAttemptStartsWithout()
    {
        await using var h = await Harness.StartAsync();
        using var runner = await h.RunnerAsync();
        var run = await h.User.ApplyAsync(Specs.Local());
        var claim = await runner.ClaimRequiredAsync();
        var measured = DateTimeOffset.UtcNow;

        // A fresh lease needs no renewal, but progress is written all the same.
        await BeatAsync(runner, claim, new StepProgress { Done = 3, Total = 12, Unit = StepProgressUnits.Tensors, Message = "converted 3/12 tensors", UpdatedAt = measured });
        var first = Step(await h.User.GetRunAsync(run.Id), claim.StepId).Progress;
        await BeatAsync(runner, claim, new StepProgress { Done = 12, Total = 12, Unit = StepProgressUnits.Tensors, UpdatedAt = measured.AddSeconds(1) });
        var second = Step(await h.User.GetRunAsync(run.Id), claim.StepId).Progress;

        Assert.NotNull(first);
        Assert.Equal((3d, 12d, "tensors", "converted 3/12 tensors"), (first.Done, first.Total!.Value, first.Unit, first.Message));
        Assert.Equal(measured, first.UpdatedAt, TimeSpan.FromMilliseconds(1));
        Assert.Equal(0.25, first.Fraction);
        Assert.Equal((12d, (string?)null), (second!.Done, second.Message));

        using (var released = await runner.ReleaseAsync(claim)) Assert.True(released.IsSuccessStatusCode);
        var again = await runner.ClaimRequiredAsync();
        Assert.Equal(claim.StepId, again.StepId);
        Assert.Null(Step(await h.User.GetRunAsync(run.Id), claim.StepId).Progress);
    }

    [Theory]
    [InlineData(-1, 10, "bytes", "done")]
    [InlineData(1, -10, "bytes", "total")]
    [InlineData(1, 10, "", "unit")]
    public async Task Heartbeat_WithWrongProgress_IsRefusedNamingTheField(double done, double total, string unit, string named)
    {
        await using var h = await Harness.StartAsync();
        using var runner = await h.RunnerAsync();
        await h.User.ApplyAsync(Specs.Local());
        var claim = await runner.ClaimRequiredAsync();

        using var response = await runner.Http.PostAsJsonAsync($"/api/steps/{claim.StepId}/heartbeat",
            new HeartbeatRequest(claim.LeaseToken, Progress: new StepProgress { Done = done, Total = total, Unit = unit }), ContractJson.Options);
        var problem = await response.Content.ReadFromJsonAsync<JsonObject>();

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var message = problem!["errors"]!["progress"]![0]!.GetValue<string>();
        Assert.StartsWith(named, message, StringComparison.Ordinal);
        Assert.Equal(0, await h.Database.ScalarAsync<long>("SELECT count(*) FROM steps WHERE progress IS NOT NULL"));
    }

    private static async Task BeatAsync(ProtocolClient runner, StepClaim claim, StepProgress progress)
    {
        using var beat = await runner.Http.PostAsJsonAsync(
            $"/api/steps/{claim.StepId}/heartbeat", new HeartbeatRequest(claim.LeaseToken, Progress: progress), ContractJson.Options);
        Assert.Equal(HttpStatusCode.OK, beat.StatusCode);
    }

    private static Orchestrator.Runs.StepDto Step(Orchestrator.Runs.RunDto run, Guid id) => run.Steps!.Single(s => s.Id == id);
}
