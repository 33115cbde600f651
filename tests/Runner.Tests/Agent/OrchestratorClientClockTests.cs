using Contracts.Protocol;
using Microsoft.Extensions.Time.Testing;
using Runner.Agent;

namespace Runner.Tests.Agent;

/// <summary>The client's retries wait on the agent's clock, so a test moves through minutes of backoff in milliseconds.</summary>
public sealed class OrchestratorClientClockTests
{
    [Fact]
    public async Task TransientFailures_AreRetriedOnTheInjectedClock_UntilRetryForHasPassedOnIt()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        // Nobody listens there: every attempt is a refused connection, a transient failure.
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{FreePort.Next()}/") };
        var client = new OrchestratorClient(http, time);
        var retryFor = TimeSpan.FromMinutes(5);
        var real = System.Diagnostics.Stopwatch.StartNew();

        var call = client.HeartbeatAsync(Guid.NewGuid(), new HeartbeatRequest(Guid.NewGuid()), retryFor, CancellationToken.None);
        await Task.Delay(300);
        Assert.False(call.IsCompleted, "the first backoff waits for the clock to move");

        var moved = TimeSpan.Zero;
        while (!call.IsCompleted && moved < TimeSpan.FromMinutes(10))
        {
            time.Advance(TimeSpan.FromSeconds(5));
            moved += TimeSpan.FromSeconds(5);
            await Task.WhenAny(call, Task.Delay(20));
        }

        await Assert.ThrowsAsync<HttpRequestException>(() => call);
        Assert.InRange(moved, retryFor, retryFor + TimeSpan.FromSeconds(15));
        Assert.True(real.Elapsed < TimeSpan.FromMinutes(1), $"took {real.Elapsed} of real time");
    }
}
