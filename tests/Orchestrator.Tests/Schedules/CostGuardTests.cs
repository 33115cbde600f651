using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Contracts;
using Orchestrator.Tests.Infrastructure;

namespace Orchestrator.Tests.Schedules;

/// <summary><c>cleanup.teardownAfter</c> for real: a succeeded gke rollout gets a Quartz teardown trigger at its end
/// plus the TTL, which queues the teardown; a later rollout and <c>extend</c> move it.</summary>
public sealed class CostGuardTests
{
    private static readonly string[] Fast = ["--Scheduling:MisfireThresholdSeconds", "1", "--Scheduling:TtlSyncIntervalMilliseconds", "200"];

    internal static JsonObject Gke(string teardownAfter) => Specs.Gke("prod", teardownAfter: teardownAfter);

    [Fact]
    public async Task SucceededRollout_WithTeardownAfter_IsTornDownByTheSchedule()
    {
        await using var h = await Harness.StartAsync(Fast);
        using var runner = await h.RunnerAsync("gke-runner", "gke");
        var run = await SucceedAsync(h, runner, Gke("3s"));
        var succeeded = await h.User.GetRunAsync(run.Id);
        var teardownAt = await TeardownAtAsync(h.Database);
        var teardown = await Eventually.ValueAsync(async () => (await h.Database.QueryAsync<Guid>(
            "SELECT id FROM runs WHERE environment = 'prod' AND trigger_actor = 'cost-guard'")).Select(id => (Guid?)id).FirstOrDefault() is { } id
                ? await h.User.GetRunAsync(id) : null, "a teardown run", timeoutSeconds: 30);

        Assert.Equal(RunStatuses.Succeeded, succeeded.Status);
        Assert.NotNull(teardownAt);
        Assert.InRange(teardownAt!.Value - succeeded.FinishedAt!.Value, TimeSpan.FromSeconds(2.9), TimeSpan.FromSeconds(3.1));
        Assert.Equal("schedule", teardown.Trigger.Kind);
        Assert.Equal("cleanup.teardownAfter", teardown.Trigger.Details!["reason"]);
        Assert.Equal([StepKinds.Teardown], teardown.Steps!.Select(s => s.Kind));
        Assert.True(teardown.CreatedAt >= teardownAt.Value.AddSeconds(-1), $"torn down at {teardown.CreatedAt:o}, due {teardownAt:o}");
        Assert.Null(await TeardownAtAsync(h.Database));
    }

    [Fact]
    public async Task Extend_MovesTheTeardownAndItsTrigger_AndRefusesWhatItCannotExtend()
    {
        await using var h = await Harness.StartAsync(Fast);
        using var runner = await h.RunnerAsync("gke-runner", "gke");
        await SucceedAsync(h, runner, Gke("1h"));
        var first = (await TeardownAtAsync(h.Database))!.Value;

        using var extend = await h.User.Http.PostAsJsonAsync("/api/environments/prod/extend", new { by = "4h" });
        var extended = await extend.Content.ReadFromJsonAsync<JsonObject>();
        var at = extended!["teardownAt"]!.GetValue<DateTimeOffset>();
        var trigger = await Eventually.ValueAsync(async () =>
            await h.Database.ScalarAsync<long?>("SELECT next_fire_time FROM qrtz_triggers WHERE trigger_group = 'ttl' AND trigger_name = 'prod'") is { } ticks
            && new DateTimeOffset(ticks, TimeSpan.Zero) == at ? (object)ticks : null, "the teardown trigger at the extended time");
        using var badDuration = await h.User.Http.PostAsJsonAsync("/api/environments/prod/extend", new { by = "soon" });
        using var none = await h.User.Http.PostAsJsonAsync("/api/environments/local/extend", new { by = "1h" });
        using var unknown = await h.User.Http.PostAsJsonAsync("/api/environments/nowhere/extend", new { by = "1h" });

        Assert.Equal(HttpStatusCode.OK, extend.StatusCode);
        Assert.Equal(first.AddHours(4), at);
        Assert.Equal(at, await TeardownAtAsync(h.Database));
        Assert.Equal(HttpStatusCode.BadRequest, badDuration.StatusCode);
        Assert.Contains("\"by\"", await badDuration.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Conflict, none.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
    }

    [Fact]
    public async Task LaterRollout_WithoutTeardownAfter_ClearsTheTeardown()
    {
        await using var h = await Harness.StartAsync(Fast);
        using var runner = await h.RunnerAsync("gke-runner", "gke");
        await SucceedAsync(h, runner, Gke("1h"));
        Assert.NotNull(await TeardownAtAsync(h.Database));

        var spec = Gke("1h");
        spec.Remove("cleanup");
        spec["model"]!["source"] = "hf://google/gemma-7b-it-pytorch@v2";
        await SucceedAsync(h, runner, spec);

        Assert.Null(await TeardownAtAsync(h.Database));
        await Eventually.ValueAsync(async () => await h.Database.ScalarAsync<long>(
            "SELECT count(*) FROM qrtz_triggers WHERE trigger_group = 'ttl'") == 0 ? "" : null, "the teardown trigger removed");
    }

    /// <summary>Applies <paramref name="spec"/> to the gke environment <c>prod</c> and completes its steps as a runner would.</summary>
    internal static async Task<Orchestrator.Runs.RunDto> SucceedAsync(Harness h, ProtocolClient runner, JsonObject spec)
    {
        await h.User.CreateEnvironmentAsync("prod", "gke");
        var run = await h.User.ApplyAsync(spec);
        await runner.DrainAsync(h.User, [run.Id]);
        return run;
    }

    private static async Task<DateTimeOffset?> TeardownAtAsync(TestDatabase database) =>
        await database.ScalarAsync<DateTime?>("SELECT teardown_at FROM environments WHERE name = 'prod'") is { } at
            ? new DateTimeOffset(DateTime.SpecifyKind(at, DateTimeKind.Utc)) : null;
}
