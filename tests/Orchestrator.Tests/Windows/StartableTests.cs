using Orchestrator.Tests.Infrastructure;
using Orchestrator.Windows;

namespace Orchestrator.Tests.Windows;

/// <summary>What the sweeper may start: closed environments are left out before its batch is cut.</summary>
public sealed class StartableTests(TestDatabase database) : IClassFixture<TestDatabase>
{
    [Fact]
    public async Task Startable_LeavesOutClosedEnvironments_UnlessAnUrgentRunWaits()
    {
        var closed = $"closed-{Guid.NewGuid():N}"[..16];
        var urgent = $"urgent-{Guid.NewGuid():N}"[..16];
        var open = $"open-{Guid.NewGuid():N}"[..16];
        var bare = $"bare-{Guid.NewGuid():N}"[..16];
        var now = new DateTimeOffset(2026, 12, 7, 12, 0, 0, TimeSpan.Zero); // Monday noon UTC
        foreach (var name in new[] { closed, urgent, open, bare })
            await database.ExecuteAsync("INSERT INTO environments (name, target_kind) VALUES (@name, 'local')", new { name });
        await database.ExecuteAsync("""
            INSERT INTO maintenance_windows (environment, ordinal, time_zone, days, start_minute, end_minute) VALUES
                (@closed, 0, 'Europe/Paris', '{TUE}', 1320, 1380),
                (@urgent, 0, 'Europe/Paris', '{TUE}', 1320, 1380),
                (@open, 0, 'Europe/Paris', '{TUE}', 1320, 1380),
                (@open, 1, 'UTC', '{MON}', 660, 780)
            """, new { closed, urgent, open });

        await using var connection = await database.DataSource.OpenConnectionAsync();
        var startable = await WindowStore.StartableAsync(connection, [(closed, false), (urgent, true), (open, false), (bare, false)], now, CancellationToken.None);

        Assert.Equal([urgent, open, bare], startable);
    }
}
