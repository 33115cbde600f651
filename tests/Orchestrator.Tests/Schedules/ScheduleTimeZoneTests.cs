using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Orchestrator.Tests.Infrastructure;

namespace Orchestrator.Tests.Schedules;

/// <summary>Fire times across DST changes, as Quartz computes them for the stored trigger and as the API shows them.</summary>
public sealed class ScheduleTimeZoneTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    [Fact]
    public async Task Dst_SpringForward_ADailyTimeThatDoesNotExistThatDay_FiresAtTheFirstValidTimeAfterTheGap()
    {
        var times = await NextFireTimesAsync("0 30 2 * * ?", "America/New_York", "2027-03-12T12:00:00Z");

        // 02:30 does not exist on 14 March in New York: Quartz fires at the first valid time after the gap, 03:00 EDT.
        Assert.Equal(["2027-03-13T07:30:00Z", "2027-03-14T07:00:00Z", "2027-03-15T06:30:00Z"], times[..3]);
    }

    [Fact]
    public async Task Dst_FallBack_ADailyTimeThatRepeats_FiresOnce()
    {
        var times = await NextFireTimesAsync("0 30 1 * * ?", "America/New_York", "2027-11-05T12:00:00Z");

        // 01:30 comes twice on 7 November (EDT, then EST): it fires at the first, once.
        Assert.Equal(["2027-11-06T05:30:00Z", "2027-11-07T05:30:00Z", "2027-11-08T06:30:00Z"], times[..3]);
    }

    [Fact]
    public async Task StoredTrigger_NextFireTime_IsTheFirstShown()
    {
        using var user = await UserClient.CreateAsync(fixture.Server);
        var id = await ScheduleFiringTests.CreateAsync(user, new { environment = "local", cron = "0 0 22 ? * MON-FRI", timeZone = "Europe/Paris", action = "reprovision" });
        var shown = (await user.Http.GetFromJsonAsync<JsonObject>($"/api/schedules/{id}"))!["nextFireTimes"]!.AsArray();
        var stored = await fixture.Database.ScalarAsync<long>("SELECT next_fire_time FROM qrtz_triggers WHERE trigger_name = @id", new { id = id.ToString() });

        Assert.Equal(shown[0]!.GetValue<DateTimeOffset>(), new DateTimeOffset(stored, TimeSpan.Zero));
        Assert.Equal(22, TimeZoneInfo.ConvertTime(shown[0]!.GetValue<DateTimeOffset>(), TimeZoneInfo.FindSystemTimeZoneById("Europe/Paris")).Hour);
    }

    private async Task<string[]> NextFireTimesAsync(string cron, string timeZone, string startAt)
    {
        using var user = await UserClient.CreateAsync(fixture.Server);
        var id = await ScheduleFiringTests.CreateAsync(user, new { environment = "local", cron, timeZone, startAt, action = "reprovision", paused = false });
        var shown = (await user.Http.GetFromJsonAsync<JsonObject>($"/api/schedules/{id}"))!["nextFireTimes"]!.AsArray();
        return shown.Select(t => t!.GetValue<DateTimeOffset>().UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture)).ToArray();
    }
}
