using Microsoft.Extensions.DependencyInjection;
using Runner.Agent;

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
}
