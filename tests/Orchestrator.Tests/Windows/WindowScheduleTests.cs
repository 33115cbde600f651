using Orchestrator.Windows;

namespace Orchestrator.Tests.Windows;

/// <summary>Openings and closings as Quartz computes them, across midnight and daylight saving changes (Europe/Paris
/// springs forward on 2027-03-28 at 02:00 and falls back on 2027-10-31 at 03:00).</summary>
public sealed class WindowScheduleTests
{
    private static readonly TimeZoneInfo Paris = TimeZoneInfo.FindSystemTimeZoneById("Europe/Paris");

    private static DateTimeOffset Utc(string text) => DateTimeOffset.Parse(text + "Z", System.Globalization.CultureInfo.InvariantCulture);

    [Fact]
    public void Cron_AtATimeTheSpringForwardSkips_OpensAtTheEndOfTheGap_ThenAtItsTimeAgain()
    {
        var window = WindowSchedule.Cron("0 30 2 * * ?", TimeSpan.FromHours(1), Paris);

        var first = window.NextOpening(Utc("2027-03-27T12:00:00"));
        var second = window.NextOpening(first!.Value);

        Assert.Equal(Utc("2027-03-28T01:00:00"), first); // 03:00 CEST: 02:30 does not exist that night
        Assert.Equal(Utc("2027-03-29T00:30:00"), second); // 02:30 CEST
    }

    [Fact]
    public void Cron_AtATimeTheFallBackRepeats_OpensOnce_AtTheFirstOccurrence()
    {
        var window = WindowSchedule.Cron("0 30 2 * * ?", TimeSpan.FromHours(1), Paris);

        var first = window.NextOpening(Utc("2027-10-30T12:00:00"));
        var second = window.NextOpening(first!.Value);

        Assert.Equal(Utc("2027-10-31T00:30:00"), first); // 02:30 CEST, not 02:30 CET an hour later
        Assert.Equal(Utc("2027-11-01T01:30:00"), second); // 02:30 CET
    }

    [Theory]
    [InlineData("2026-12-11T20:59:59", false)] // Friday 21:59 in Paris
    [InlineData("2026-12-11T21:00:00", true)] // Friday 22:00: opens
    [InlineData("2026-12-12T02:00:00", true)] // Saturday 03:00: still open past midnight
    [InlineData("2026-12-12T04:59:59", true)]
    [InlineData("2026-12-12T05:00:00", false)] // Saturday 06:00: closed
    [InlineData("2026-12-12T21:30:00", false)] // Saturday 22:30: the range opens on Fridays only
    [InlineData("2026-12-10T22:00:00", false)] // Thursday 23:00
    public void Range_CrossingMidnight_IsOpenFromItsStartUntilItsEndTheNextDay(string utc, bool open)
    {
        var window = WindowSchedule.Range(["FRI"], new TimeOnly(22, 0), new TimeOnly(6, 0), Paris);

        Assert.Equal(open, window.IsOpen(Utc(utc)));
    }

    [Fact]
    public void Range_OverTheSpringForwardNight_IsAnHourShorter_AndAnEndInTheGapIsItsEnd()
    {
        var night = WindowSchedule.Range(["SAT"], new TimeOnly(22, 0), new TimeOnly(6, 0), Paris);
        var intoTheGap = WindowSchedule.Range(["SAT"], new TimeOnly(22, 0), new TimeOnly(2, 30), Paris);

        var opening = night.NextOpening(Utc("2027-03-27T12:00:00"))!.Value;

        Assert.Equal(Utc("2027-03-27T21:00:00"), opening); // 22:00 CET
        Assert.Equal(TimeSpan.FromHours(7), night.ClosingOf(opening) - opening); // to 06:00 CEST
        Assert.Equal(Utc("2027-03-28T01:00:00"), intoTheGap.ClosingOf(opening)); // 03:00 CEST, where 02:30 would be
        Assert.True(intoTheGap.IsOpen(Utc("2027-03-28T00:59:59")));
        Assert.False(intoTheGap.IsOpen(Utc("2027-03-28T01:00:00")));
    }

    [Fact]
    public void Range_OverTheFallBackNight_IsAnHourLonger()
    {
        var night = WindowSchedule.Range(["SAT"], new TimeOnly(22, 0), new TimeOnly(6, 0), Paris);

        var opening = night.NextOpening(Utc("2027-10-30T12:00:00"))!.Value;

        Assert.Equal(Utc("2027-10-30T20:00:00"), opening); // 22:00 CEST
        Assert.Equal(TimeSpan.FromHours(9), night.ClosingOf(opening) - opening); // to 06:00 CET
    }

    [Theory]
    [InlineData("2026-12-08T21:59:59", false)]
    [InlineData("2026-12-08T22:00:00", true)]
    [InlineData("2026-12-08T23:59:59", true)]
    [InlineData("2026-12-09T00:00:00", false)]
    public void Cron_IsOpenForItsDurationFromEachOpening(string utc, bool open)
    {
        var window = WindowSchedule.Cron("0 0 22 ? * TUE", TimeSpan.FromHours(2), TimeZoneInfo.Utc);

        Assert.Equal(open, window.IsOpen(Utc(utc)));
    }

    [Fact]
    public void Calendar_WithoutWindows_IsAlwaysOpen_WithThem_OpensAtTheEarliestInItsZone()
    {
        var now = Utc("2026-12-07T12:00:00");
        var calendar = new WindowCalendar([
            WindowSchedule.Cron("0 0 22 ? * TUE", TimeSpan.FromHours(2), TimeZoneInfo.Utc),
            WindowSchedule.Range(["TUE"], new TimeOnly(22, 0), new TimeOnly(23, 0), Paris),
        ]);

        var wait = calendar.WaitFor(now);

        Assert.True(WindowCalendar.Always.IsOpen(now));
        Assert.Null(WindowCalendar.Always.WaitFor(now));
        Assert.False(calendar.IsOpen(now));
        Assert.Equal("Europe/Paris", wait!.Opening!.TimeZone);
        Assert.Equal(Utc("2026-12-08T21:00:00"), wait.Opening.At);
        Assert.Equal(TimeSpan.FromHours(1), wait.Opening.At.Offset); // reads 22:00 as in Paris
    }
}
