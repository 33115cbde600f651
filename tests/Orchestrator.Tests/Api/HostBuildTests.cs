using Microsoft.Extensions.Options;
using Orchestrator.Costs;
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

    [Fact]
    public async Task Build_WithoutAPriceTable_PricesTpuV5eAtTheDocumentedDefault()
    {
        await using var app = ServerHost.Build(ServerHost.CreateBuilder(["--db", "Host=127.0.0.1;Port=1;Username=x"]));

        var costs = app.Services.GetRequiredService<IOptions<CostOptions>>().Value;
        Assert.Equal(1.20m, costs.DefaultPerChipHour);
        Assert.Equal("USD", costs.Currency);
        Assert.Empty(costs.Prices);
    }

    [Theory]
    [InlineData("Costs:Prices:0:PerChipHour", "1.5", "Costs:Prices:0 names neither Region nor MachineType")]
    [InlineData("Costs:Prices:0:Region", "mars-north1", "Costs:Prices:0:Region mars-north1 has no TPU v5e")]
    [InlineData("Costs:Prices:0:MachineType", "ct5lp-hightpu-2t", "Costs:Prices:0:MachineType ct5lp-hightpu-2t is not a TPU v5e machine type")]
    [InlineData("Costs:DefaultPerChipHour", "-1", "Costs:DefaultPerChipHour must not be negative")]
    [InlineData("Costs:Currency", "", "Costs:Currency is required")]
    public async Task Start_WithABadPriceTable_FailsNamingTheSetting(string key, string value, string message)
    {
        await using var app = ServerHost.Build(ServerHost.CreateBuilder(["--db", "Host=127.0.0.1;Port=1;Username=x", $"--{key}", value]));

        var error = Assert.Throws<OptionsValidationException>(() => app.Services.GetRequiredService<IOptions<CostOptions>>().Value);
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_WithAWebhookSecretReferenceOfABadName_FailsNamingTheSetting()
    {
        await using var app = ServerHost.Build(ServerHost.CreateBuilder(["--db", "Host=127.0.0.1;Port=1;Username=x", "--GitHub:WebhookSecret", "secret://Not A Name"]));

        var error = Assert.Throws<OptionsValidationException>(() => app.Services.GetRequiredService<IOptions<Orchestrator.GitHub.GitHubOptions>>().Value);
        Assert.Contains("GitHub:WebhookSecret", error.Message, StringComparison.Ordinal);
    }
}
