using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Orchestrator.Tests.Infrastructure;

namespace Orchestrator.Tests.Schedules;

/// <summary>Real Quartz on the real PostgreSQL (the clustered job store of migration 0006), on the system's clock: a
/// schedule fires and starts a run with trigger <c>schedule</c>; two instances start one run per fire time; the misfire
/// policies decide what a missed fire time does.</summary>
public sealed class ScheduleFiringTests
{
    private static readonly string[] Fast = ["--Scheduling:MisfireThresholdSeconds", "1", "--Scheduling:CheckinIntervalSeconds", "1"];

    [Fact]
    public async Task Fire_StartsARunWithTriggerSchedule_AndTheScheduleShowsIt()
    {
        await using var h = await Harness.StartAsync(Fast);
        var schedule = await CreateAsync(h.User, new { environment = "local", cron = "0/2 * * * * ?", action = "apply", spec = Specs.Local() });

        var run = await Eventually.ValueAsync(async () => (await ScheduleRunsAsync(h.Database, schedule)).FirstOrDefault(), "a run started by the schedule");
        var shown = await h.User.GetRunAsync(run.Id);
        var fires = await Eventually.ValueAsync(async () =>
            (await h.User.Http.GetFromJsonAsync<JsonObject>($"/api/schedules/{schedule}"))!["lastFires"]!.AsArray() is { Count: > 0 } f ? f : null, "the fire shown");

        Assert.Equal("schedule", shown.Trigger.Kind);
        Assert.Equal(schedule.ToString(), shown.Trigger.Details!["scheduleId"]);
        Assert.Equal("apply", shown.Trigger.Details["action"]);
        Assert.Equal(0, DateTimeOffset.Parse(shown.Trigger.Details["fireTime"], System.Globalization.CultureInfo.InvariantCulture).Second % 2);
        Assert.Contains(fires, f => (string?)f!["runId"] == run.Id.ToString() && (string?)f["outcome"] == "started");
        using (var deleted = await h.User.Http.DeleteAsync($"/api/schedules/{schedule}"))
            Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        var after = (await ScheduleRunsAsync(h.Database, schedule)).Count;
        await Task.Delay(3000);
        Assert.Equal(after, (await ScheduleRunsAsync(h.Database, schedule)).Count);
        Assert.Equal(0L, await h.Database.ScalarAsync<long>("SELECT count(*) FROM qrtz_triggers WHERE trigger_group = 'schedules'"));
    }

    [Fact]
    public async Task TwoInstances_StartExactlyOneRunPerFireTime()
    {
        await using var h = await Harness.StartAsync(Fast);
        await using var second = await TestServer.StartAsync(h.Database, Fast);
        var schedule = await CreateAsync(h.User, new { environment = "local", cron = "* * * * * ?", action = "apply", spec = Specs.Local() });

        await Task.Delay(6500);
        using (var deleted = await h.User.Http.DeleteAsync($"/api/schedules/{schedule}"))
            Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        var runs = await ScheduleRunsAsync(h.Database, schedule);
        var fireTimes = runs.Select(r => r.FireTime).ToList();

        Assert.InRange(runs.Count, 4, 8);
        Assert.Equal(fireTimes.Count, fireTimes.Distinct().Count());
        // Quartz's row locks did it, not our record of fires: no instance fired a time the other had fired.
        Assert.Equal(0L, await h.Database.ScalarAsync<long>("SELECT coalesce(sum(duplicates), 0) FROM schedule_fires"));
        Assert.Equal(2L, await h.Database.ScalarAsync<long>("SELECT count(*) FROM qrtz_scheduler_state"));
    }

    [Fact]
    public async Task Misfire_SkipDropsTheMissedTime_FireOnceFiresItOnceWhenResumed()
    {
        await using var h = await Harness.StartAsync(Fast);
        // Once a minute, three seconds from now: both are paused through it, and resumed after the misfire threshold.
        var second = (DateTimeOffset.UtcNow.Second + 3) % 60;
        var cron = $"{second} * * * * ?";
        var skip = await CreateAsync(h.User, new { environment = "local", cron, misfire = "skip", paused = true, action = "apply", spec = Specs.Local() });
        var once = await CreateAsync(h.User, new { environment = "local", cron, misfire = "fire-once", paused = true, action = "apply", spec = Specs.Local() });
        Assert.Empty((await h.User.Http.GetFromJsonAsync<JsonObject>($"/api/schedules/{once}"))!["nextFireTimes"]!.AsArray());

        await Task.Delay(5500);
        var resumedAt = DateTimeOffset.UtcNow;
        foreach (var id in new[] { skip, once })
        {
            using var resumed = await h.User.Http.PostAsync($"/api/schedules/{id}/resume", null);
            Assert.Equal(HttpStatusCode.OK, resumed.StatusCode);
        }
        var fired = await Eventually.ValueAsync(async () => (await ScheduleRunsAsync(h.Database, once)).FirstOrDefault(), "the missed fire, once");
        await Task.Delay(2000);

        Assert.Single(await ScheduleRunsAsync(h.Database, once));
        Assert.InRange(fired.CreatedAt, resumedAt, resumedAt.AddSeconds(5));
        Assert.Empty(await ScheduleRunsAsync(h.Database, skip));
        var next = (await h.User.Http.GetFromJsonAsync<JsonObject>($"/api/schedules/{skip}"))!["nextFireTimes"]!.AsArray();
        Assert.Equal(second, next[0]!.GetValue<DateTimeOffset>().Second);
        Assert.True(next[0]!.GetValue<DateTimeOffset>() > resumedAt);
    }

    [Fact]
    public async Task Create_BadFields_Are400NamingEach_AndWriteNothing()
    {
        await using var h = await Harness.StartAsync(Fast);
        using var response = await h.User.Http.PostAsJsonAsync("/api/schedules",
            new { environment = "local", cron = "every night", timeZone = "Mars/Olympus", misfire = "later", action = "apply" });
        var problem = await response.Content.ReadFromJsonAsync<JsonObject>();
        using var missing = await h.User.Http.PostAsJsonAsync("/api/schedules", new { environment = "nowhere", cron = "0 0 22 * * ?", action = "reprovision" });
        using var teardown = await h.User.Http.PostAsJsonAsync("/api/schedules", new { environment = "local", cron = "0 0 22 * * ?", action = "teardown" });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        foreach (var field in new[] { "cron", "timeZone", "misfire", "spec" })
            Assert.True(problem!["errors"]!.AsObject().ContainsKey(field), $"errors should name {field}: {problem}");
        Assert.Equal(HttpStatusCode.BadRequest, missing.StatusCode);
        Assert.Contains("\"environment\"", await missing.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, teardown.StatusCode);
        Assert.Contains("\"action\"", await teardown.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(0L, await h.Database.ScalarAsync<long>("SELECT count(*) FROM schedules"));
        Assert.Equal(0L, await h.Database.ScalarAsync<long>("SELECT count(*) FROM qrtz_triggers WHERE trigger_group = 'schedules'"));
    }

    internal static async Task<Guid> CreateAsync(UserClient user, object request)
    {
        using var response = await user.Http.PostAsJsonAsync("/api/schedules", request);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Created, body);
        return Guid.Parse((string)JsonNode.Parse(body)!["id"]!);
    }

    internal sealed record ScheduledRun(Guid Id, string FireTime, DateTimeOffset CreatedAt);

    internal static async Task<List<ScheduledRun>> ScheduleRunsAsync(TestDatabase database, Guid schedule) =>
        (await database.QueryAsync<(Guid Id, string FireTime, DateTime CreatedAt)>(
            "SELECT id, trigger_details->>'fireTime', created_at FROM runs WHERE trigger_kind = 'schedule' AND trigger_details->>'scheduleId' = @id ORDER BY created_at",
            new { id = schedule.ToString() }))
        .Select(r => new ScheduledRun(r.Id, r.FireTime, new DateTimeOffset(DateTime.SpecifyKind(r.CreatedAt, DateTimeKind.Utc)))).ToList();
}
