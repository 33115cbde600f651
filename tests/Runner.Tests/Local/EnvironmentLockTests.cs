using Runner.Local;

namespace Runner.Tests.Local;

/// <summary>The routing lock of an environment: one holder at a time, the next one gets it once it is released.</summary>
public sealed class EnvironmentLockTests
{
    [Fact]
    public async Task SecondAcquirer_WaitsUntilTheFirstReleases()
    {
        using var dir = new TempDir();
        var layout = new LocalLayout(dir.Path, "local");
        var first = await EnvironmentLock.AcquireAsync(layout, CancellationToken.None);

        var second = EnvironmentLock.AcquireAsync(layout, CancellationToken.None);
        await Task.Delay(300);
        Assert.False(second.IsCompleted);

        first.Dispose();
        using var held = await second.WaitAsync(TimeSpan.FromSeconds(5));
        using var other = await EnvironmentLock.AcquireAsync(new LocalLayout(dir.Path, "other"), CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(5));
    }
}
