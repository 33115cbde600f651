using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Contracts;
using Orchestrator.Tests.Infrastructure;
using Orchestrator.Windows;

namespace Orchestrator.Tests.Windows;

/// <summary>Maintenance windows through the real service on a hand-moved clock: a run waits for its window, the
/// sweeper starts it when the window opens, urgent runs do not wait.</summary>
public sealed class WindowTests
{
    // Monday 2026-12-07 12:00 UTC; the window below opens on Tuesday at 22:00 in Paris (21:00 UTC).
    private static readonly DateTimeOffset Monday = new(2026, 12, 7, 12, 0, 0, TimeSpan.Zero);

    private static object TuesdayEvening => new
    {
        windows = new object[] { new { days = new[] { "tue" }, start = "22:00", end = "23:00", timeZone = "Europe/Paris" } },
    };

    [Fact]
    public async Task Run_QueuedOutsideItsWindow_WaitsWithStartsAt_AndStartsWhenTheWindowOpens()
    {
        var time = new ManualTime(Monday);
        await using var h = await Harness.StartAsync(time);
        using (var put = await h.User.Http.PutAsJsonAsync("/api/environments/local/windows", TuesdayEvening))
            Assert.True(put.IsSuccessStatusCode, await put.Content.ReadAsStringAsync());

        var run = await h.User.ApplyAsync(Specs.Local());
        await Task.Delay(600); // three sweeps: none may start it
        var waiting = await h.User.GetRunAsync(run.Id);
        var plan = await (await h.User.Http.PostAsJsonAsync("/api/plan", Specs.Local())).Content.ReadFromJsonAsync<JsonObject>();
        var shown = await h.User.Http.GetFromJsonAsync<JsonObject>($"/api/runs/{run.Id}");

        Assert.Equal(RunStatuses.Queued, waiting.Status);
        Assert.Equal("starts at 2026-12-08 22:00 Europe/Paris (maintenance window)", Orchestrator.Cli.RunView.StartsAt(shown!));
        Assert.Equal("starts at 2026-12-08 22:00 Europe/Paris (maintenance window)", Orchestrator.Cli.RunView.StartsAt(plan!));
        Assert.Equal(WindowWait.Reason, waiting.WaitingFor);
        Assert.Equal(new DateTimeOffset(2026, 12, 8, 22, 0, 0, TimeSpan.FromHours(1)), waiting.StartsAt);
        Assert.Equal(TimeSpan.FromHours(1), waiting.StartsAt!.Value.Offset);
        Assert.Equal("Europe/Paris", waiting.StartsAtTimeZone);
        Assert.Equal("2026-12-08T22:00:00+01:00", plan!["startsAt"]!.GetValue<string>());
        Assert.Equal("maintenance window", plan["waitingFor"]!.GetValue<string>());

        time.Advance(new DateTimeOffset(2026, 12, 8, 21, 0, 1, TimeSpan.Zero) - Monday);
        var started = await h.User.WaitForStatusAsync(run.Id, RunStatuses.Running, timeoutSeconds: 10);

        Assert.Null(Orchestrator.Cli.RunView.StartsAt((await h.User.Http.GetFromJsonAsync<JsonObject>($"/api/runs/{run.Id}"))!));
        Assert.Null(started.WaitingFor);
        Assert.Null(started.StartsAt);
        Assert.Equal(new DateTimeOffset(2026, 12, 8, 21, 0, 1, TimeSpan.Zero), started.StartedAt);
    }

    [Fact]
    public async Task UrgentRun_OutsideItsWindow_StartsAtOnce_AndAnEnvironmentWithoutWindowsIsOpen()
    {
        await using var h = await Harness.StartAsync(new ManualTime(Monday));
        await h.User.CreateEnvironmentAsync("other");
        using (var put = await h.User.Http.PutAsJsonAsync("/api/environments/local/windows", TuesdayEvening))
            Assert.True(put.IsSuccessStatusCode, await put.Content.ReadAsStringAsync());

        using var response = await h.User.Http.PostAsJsonAsync("/api/rollouts?urgent=true", Specs.Local());
        var urgent = await response.Content.ReadFromJsonAsync<Orchestrator.Runs.RunDto>(ContractJson.Options);
        var unwindowed = await h.User.ApplyAsync(Specs.Local("other"));
        var plan = await (await h.User.Http.PostAsJsonAsync("/api/plan?urgent=true", Specs.Local())).Content.ReadFromJsonAsync<JsonObject>();

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal(RunStatuses.Running, urgent!.Status);
        Assert.True(urgent.Urgent);
        Assert.Null(urgent.WaitingFor);
        Assert.Equal(RunStatuses.Running, unwindowed.Status);
        Assert.Null(unwindowed.WaitingFor);
        Assert.False(plan!.ContainsKey("startsAt"));
        Assert.False(plan.ContainsKey("waitingFor"));
    }

    [Fact]
    public async Task Windows_PutGetDelete_RoundTrip_AndClearingStartsTheWaitingRun()
    {
        await using var h = await Harness.StartAsync(new ManualTime(Monday));
        var body = new
        {
            windows = new object[]
            {
                new { cron = "0 0 22 ? * SAT", duration = "1h30m", timeZone = "America/New_York" },
                new { days = new[] { "Friday", "mon" }, start = "23:00", end = "01:00", timeZone = "Europe/Paris" },
            },
        };
        using (var put = await h.User.Http.PutAsJsonAsync("/api/environments/local/windows", body))
            Assert.True(put.IsSuccessStatusCode, await put.Content.ReadAsStringAsync());
        var run = await h.User.ApplyAsync(Specs.Local());

        var got = await h.User.Http.GetFromJsonAsync<JsonObject>("/api/environments/local/windows");
        using var deleted = await h.User.Http.DeleteAsync("/api/environments/local/windows");
        var after = await h.User.Http.GetFromJsonAsync<JsonObject>("/api/environments/local/windows");

        Assert.Equal(RunStatuses.Queued, run.Status);
        Assert.False(got!["open"]!.GetValue<bool>());
        Assert.Equal("1h30m", got["windows"]![0]!["duration"]!.GetValue<string>());
        Assert.Equal(["mon", "fri"], got["windows"]![1]!["days"]!.AsArray().Select(d => d!.GetValue<string>()));
        Assert.Equal("2026-12-07T23:00:00+01:00", got["nextOpening"]!["at"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.OK, deleted.StatusCode);
        Assert.True(after!["open"]!.GetValue<bool>());
        Assert.Empty(after["windows"]!.AsArray());
        Assert.Equal(RunStatuses.Running, (await h.User.GetRunAsync(run.Id)).Status);
    }

    [Theory]
    [InlineData("""{"windows":[{"days":["sat"],"start":"22:00","end":"06:00","timeZone":"Mars/Olympus"}]}""", "windows[0].timeZone")]
    [InlineData("""{"windows":[{"days":["sat"],"start":"22:00","end":"06:00"}]}""", "windows[0].timeZone")]
    [InlineData("""{"windows":[{"cron":"every night","duration":"4h","timeZone":"Europe/Paris"}]}""", "windows[0].cron")]
    [InlineData("""{"windows":[{"cron":"0 0 22 ? * SAT 2020","duration":"4h","timeZone":"Europe/Paris"}]}""", "windows[0].cron")]
    [InlineData("""{"windows":[{"cron":"0 0 22 ? * SAT","timeZone":"Europe/Paris"}]}""", "windows[0].duration")]
    [InlineData("""{"windows":[{"cron":"0 0 22 ? * SAT","duration":"4h","timeZone":"UTC"},{"days":["sat","someday"],"start":"22:00","end":"06:00","timeZone":"UTC"}]}""", "windows[1].days[1]")]
    [InlineData("""{"windows":[{"days":[],"start":"22:00","end":"06:00","timeZone":"UTC"}]}""", "windows[0].days")]
    [InlineData("""{"windows":[{"days":["sat"],"start":"25:00","end":"06:00","timeZone":"UTC"}]}""", "windows[0].start")]
    [InlineData("""{"windows":[{"days":["sat"],"start":"06:00","end":"06:00","timeZone":"UTC"}]}""", "windows[0].end")]
    [InlineData("""{"windows":[{"cron":"0 0 22 ? * SAT","duration":"4h","days":["sat"],"timeZone":"UTC"}]}""", "windows[0]")]
    [InlineData("""{"windows":[{"timeZone":"UTC"}]}""", "windows[0]")]
    [InlineData("""{"windows":[{"days":["sat"],"start":"22:00","end":"06:00","timeZone":"UTC","color":"red"}]}""", "windows[0].color")]
    [InlineData("""{}""", "windows")]
    public async Task Put_InvalidWindow_Is400NamingTheField_AndChangesNothing(string json, string field)
    {
        await using var h = await Harness.StartAsync();
        using var content = new StringContent(json, System.Text.Encoding.UTF8, "application/json");

        using var response = await h.User.Http.PutAsync("/api/environments/local/windows", content);
        var problem = await response.Content.ReadFromJsonAsync<JsonObject>();
        var after = await h.User.Http.GetFromJsonAsync<JsonObject>("/api/environments/local/windows");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.True(problem!["errors"]!.AsObject().ContainsKey(field), problem.ToJsonString());
        Assert.Empty(after!["windows"]!.AsArray());
    }

    [Fact]
    public async Task Windows_OfAnEnvironmentThatDoesNotExist_Are404()
    {
        await using var h = await Harness.StartAsync();

        using var response = await h.User.Http.GetAsync("/api/environments/nowhere/windows");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }
}
