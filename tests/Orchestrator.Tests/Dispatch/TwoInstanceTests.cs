using System.Collections.Concurrent;
using System.Net;
using Contracts;
using Orchestrator.Auth;
using Orchestrator.Tests.Infrastructure;

namespace Orchestrator.Tests.Dispatch;

/// <summary>Two services against one database, as two replicas behind a load balancer would be.</summary>
public sealed class TwoInstanceTests : IAsyncLifetime
{
    private readonly TestDatabase _database = new();
    private TestServer _a = null!;
    private TestServer _b = null!;

    public async Task InitializeAsync()
    {
        await _database.InitializeAsync();
        // Each instance re-checks only every 20 s: a fast hand-over across instances proves LISTEN/NOTIFY works.
        _a = await TestServer.StartAsync(_database, "--Dispatch:ClaimRecheckMilliseconds", "20000");
        _b = await TestServer.StartAsync(_database, "--Dispatch:ClaimRecheckMilliseconds", "20000");
    }

    public async Task DisposeAsync()
    {
        await _a.DisposeAsync();
        await _b.DisposeAsync();
        await _database.DisposeAsync();
    }

    [Fact]
    public async Task EightRunnersOverTwoInstances_NoStepIsDispatchedTwice()
    {
        var runId = await Seed.RunWithReadyNoopStepsAsync(_database.DataSource, 300, "twin");
        var runners = new List<ProtocolClient>();
        for (var i = 0; i < 8; i++) runners.Add(await ProtocolClient.RegisterAsync(i % 2 == 0 ? _a : _b, $"runner-{i}"));
        var claimed = new ConcurrentBag<Guid>();

        await Task.WhenAll(runners.Select(runner => Task.Run(async () =>
        {
            while (await runner.ClaimAsync(0) is { } claim)
            {
                claimed.Add(claim.StepId);
                using var beat = await runner.HeartbeatAsync(claim);
                using var done = await runner.CompleteAsync(claim);
                Assert.Equal(HttpStatusCode.NoContent, done.StatusCode);
            }
        })));

        Assert.Equal(300, claimed.Count);
        Assert.Equal(300, claimed.Distinct().Count());
        Assert.Equal(300, await _database.ScalarAsync<long>(
            "SELECT count(*) FROM steps WHERE run_id = @runId AND status = 'succeeded' AND attempt = 1", new { runId }));
        Assert.Equal(RunStatuses.Succeeded, await _database.ScalarAsync<string>("SELECT status FROM runs WHERE id = @runId", new { runId }));
        foreach (var runner in runners) runner.Dispose();
    }

    [Fact]
    public async Task WorkCreatedOnOneInstance_WakesARunnerWaitingOnTheOther()
    {
        using var runner = await ProtocolClient.RegisterAsync(_b, "waiting-on-b", "local");
        using var user = new UserClient(_a.Client(await _a.CreateTokenAsync(TokenKinds.User)));
        var waiting = runner.ClaimAsync(30);
        await Task.Delay(1000);
        var started = DateTime.UtcNow;

        await user.ApplyAsync(Specs.Local());
        var claim = await waiting;

        Assert.NotNull(claim);
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(5), $"woken after {DateTime.UtcNow - started}");
    }
}
