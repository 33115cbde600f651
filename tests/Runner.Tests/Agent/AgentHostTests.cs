using Microsoft.Extensions.DependencyInjection;
using Contracts.Specs;
using Runner.Agent;
using Runner.Health;

namespace Runner.Tests.Agent;

public sealed class AgentHostTests
{
    [Fact]
    public void Build_DefaultOptions_ValidatesEveryRegistrationAndResolvesTheExecutor()
    {
        using var dir = new TempDir();
        using var host = AgentHost.Build(new RunnerOptions { WorkDir = dir.Path });

        Assert.NotNull(host.Services.GetRequiredService<IStepExecutor>());
        Assert.NotNull(host.Services.GetRequiredService<Listener>());
    }

    [Fact]
    public void Build_DefaultOptions_HasAHealthProbeForEveryTargetKind()
    {
        using var dir = new TempDir();
        using var host = AgentHost.Build(new RunnerOptions { WorkDir = dir.Path });

        var kinds = host.Services.GetServices<IHealthProbe>().Select(p => p.TargetKind).Order(StringComparer.Ordinal);

        Assert.Equal([TargetKinds.Gke, TargetKinds.Kubernetes, TargetKinds.Local], kinds);
    }
}
