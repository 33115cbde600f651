using System.Net.Http.Json;
using Contracts;
using Orchestrator.Tests.Infrastructure;
using Orchestrator.Tests.Schedules;
using Orchestrator.Windows;

namespace Orchestrator.Tests.Windows;

/// <summary>A teardown from the API waits for the environment's maintenance window like any run, unless urgent.</summary>
public sealed class TeardownWindowTests
{
    [Fact]
    public async Task Teardown_OutsideTheWindow_Waits_AndUrgentStartsAtOnce()
    {
        await using var h = await Harness.StartAsync();
        using var runner = await h.RunnerAsync("gke-runner", "gke");
        await CostGuardTests.SucceedAsync(h, runner, CostGuardTests.Gke("72h"));
        var stage = CostGuardTests.Gke("72h");
        stage["environment"] = "stage";
        await h.User.CreateEnvironmentAsync("stage", "gke");
        var run = await h.User.ApplyAsync(stage);
        await runner.DrainAsync(h.User, [run.Id]);
        // Closed now: open only on the day after tomorrow.
        var day = DateTime.UtcNow.AddDays(2).DayOfWeek.ToString()[..3].ToLowerInvariant();
        foreach (var name in new[] { "prod", "stage" })
        {
            using var put = await h.User.Http.PutAsJsonAsync($"/api/environments/{name}/windows",
                new { windows = new object[] { new { days = new[] { day }, start = "00:00", end = "01:00", timeZone = "UTC" } } });
            Assert.True(put.IsSuccessStatusCode, await put.Content.ReadAsStringAsync());
        }

        var waiting = await h.User.PostAsync("/api/environments/prod/teardown?confirm=true");
        var urgent = await h.User.PostAsync("/api/environments/stage/teardown?confirm=true&urgent=true");

        Assert.Equal(RunStatuses.Queued, waiting.Status);
        Assert.Equal(WindowWait.Reason, waiting.WaitingFor);
        Assert.Equal(RunStatuses.Running, urgent.Status);
        Assert.True(urgent.Urgent);
        Assert.Equal([StepKinds.Teardown], urgent.Steps!.Select(s => s.Kind));
    }
}
