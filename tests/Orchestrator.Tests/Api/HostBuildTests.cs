using Microsoft.Extensions.Options;
using Orchestrator.Dispatch;
using Orchestrator.Hosting;
using Orchestrator.Runs;

namespace Orchestrator.Tests.Api;

public sealed class HostBuildTests
{
    [Fact]
    public async Task Build_WithValidateOnBuild_ResolvesEveryService()
    {
        await using var app = ServerHost.Build(ServerHost.CreateBuilder(["--db", "Host=127.0.0.1;Port=1;Username=x", "--urls", "http://127.0.0.1:0"]));

        Assert.NotNull(app.Services.GetRequiredService<StepClaimer>());
        Assert.NotNull(app.Services.GetRequiredService<RunCommands>());
        Assert.Equal(30, app.Services.GetRequiredService<IOptions<DispatchOptions>>().Value.LeaseSeconds);
    }

    [Fact]
    public async Task Start_WithoutADatabase_FailsWithAnActionableMessage()
    {
        // An empty --db overrides ORCHESTRATOR_DB and any configuration file.
        await using var app = ServerHost.Build(ServerHost.CreateBuilder(["--db", "", "--urls", "http://127.0.0.1:0"]));

        var error = await Assert.ThrowsAnyAsync<Exception>(() => ServerHost.StartAsync(app, CancellationToken.None));

        Assert.Contains("--db", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_WithInvalidDispatchOptions_FailsValidation()
    {
        await using var app = ServerHost.Build(ServerHost.CreateBuilder(["--db", "Host=127.0.0.1;Port=1;Username=x", "--Dispatch:LeaseSeconds", "0"]));

        var error = Assert.Throws<OptionsValidationException>(() => app.Services.GetRequiredService<IOptions<DispatchOptions>>().Value);
        Assert.Contains("LeaseSeconds", error.Message, StringComparison.Ordinal);
    }
}
