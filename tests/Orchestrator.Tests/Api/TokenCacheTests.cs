using System.Diagnostics;
using System.Net;
using Contracts.Protocol;
using Orchestrator.Tests.Infrastructure;

namespace Orchestrator.Tests.Api;

/// <summary>Remembered token lookups across two services on one database, as two replicas behind a load balancer.</summary>
public sealed class TokenCacheTests : IAsyncLifetime
{
    private readonly TestDatabase _database = new();
    private TestServer _a = null!;
    private TestServer _b = null!;

    public async Task InitializeAsync()
    {
        await _database.InitializeAsync();
        _a = await TestServer.StartAsync(_database);
        _b = await TestServer.StartAsync(_database);
    }

    public async Task DisposeAsync()
    {
        await _a.DisposeAsync();
        await _b.DisposeAsync();
        await _database.DisposeAsync();
    }

    [Fact]
    public async Task RunnerRemovedThroughOneInstance_ItsTokenIsRefusedByTheOtherWithinSeconds()
    {
        using var runner = await ProtocolClient.RegisterAsync(_b, "cached-on-b", "nothing-to-do");
        using var user = await UserClient.CreateAsync(_a);
        // Both calls make B remember the token. A heartbeat for a step that does not exist is answered 409 when the
        // token is accepted, and, unlike a claim, never looks at the runner's row: only the token lookup can refuse it.
        using (var claim = await runner.Http.PostAsync("/api/runners/claim?waitSeconds=0", null))
            Assert.Equal(HttpStatusCode.NoContent, claim.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, await HeartbeatUnknownStepAsync(runner));

        using (var removed = await user.Http.DeleteAsync($"/api/runners/{runner.RunnerId}"))
            Assert.Equal(HttpStatusCode.NoContent, removed.StatusCode);
        var sinceRemoval = Stopwatch.StartNew();
        var status = await HeartbeatUnknownStepAsync(runner);
        while (status != HttpStatusCode.Unauthorized && sinceRemoval.Elapsed < TimeSpan.FromSeconds(3))
        {
            await Task.Delay(50);
            status = await HeartbeatUnknownStepAsync(runner);
        }
        var refusedAfter = sinceRemoval.Elapsed;
        using var claimAfter = await runner.Http.PostAsync("/api/runners/claim?waitSeconds=0", null);

        // Lookups are remembered for 10 s: refusal well inside that is B hearing of the removal, not its memory expiring.
        Assert.Equal(HttpStatusCode.Unauthorized, status);
        Assert.True(refusedAfter < TimeSpan.FromSeconds(5), $"refused {refusedAfter} after the removal");
        Assert.Equal(HttpStatusCode.Unauthorized, claimAfter.StatusCode);
    }

    private static async Task<HttpStatusCode> HeartbeatUnknownStepAsync(ProtocolClient runner)
    {
        var unknown = new StepClaim { StepId = Guid.NewGuid(), LeaseToken = Guid.NewGuid() };
        using var response = await runner.HeartbeatAsync(unknown);
        return response.StatusCode;
    }
}
