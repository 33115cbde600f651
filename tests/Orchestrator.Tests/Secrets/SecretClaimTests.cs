using System.Net.Http.Json;
using Contracts;
using Orchestrator.Tests.Infrastructure;

namespace Orchestrator.Tests.Secrets;

/// <summary>Which claims carry a secret's value: only those of the steps that read it.</summary>
public sealed class SecretClaimTests : IAsyncLifetime
{
    private Harness _h = null!;

    public async Task InitializeAsync() => _h = await Harness.StartAsync();

    public async Task DisposeAsync() => await _h.DisposeAsync();

    [Fact]
    public async Task Claim_ConvertStepCarriesTheValue_LaterStepsCarryNone()
    {
        const string value = "claim-v4lue-0123456789";
        using (var put = await _h.User.Http.PutAsJsonAsync("/api/secrets/hf", new { value }, ContractJson.Options))
            Assert.True(put.IsSuccessStatusCode, await put.Content.ReadAsStringAsync());
        await _h.User.CreateEnvironmentAsync("withsecret");
        var run = await _h.User.ApplyAsync(SecretApiTests.WithToken(Specs.Local("withsecret"), "secret://hf"));
        using var runner = await _h.RunnerAsync();

        var convert = await runner.ClaimRequiredAsync();
        (await runner.CompleteAsync(convert)).Dispose();
        var deploy = await runner.ClaimRequiredAsync();

        Assert.Equal(StepKinds.CheckpointConvert, convert.Kind);
        Assert.Equal(value, convert.Secrets["secret://hf"]);
        Assert.Single(convert.Secrets);
        Assert.Equal("secret://hf", (string?)convert.Spec["target"]!["local"]!["huggingFaceToken"]);
        Assert.Equal(StepKinds.EngineDeploy, deploy.Kind);
        Assert.Empty(deploy.Secrets);
        var runJson = await _h.User.Http.GetStringAsync($"/api/runs/{run.Id}");
        Assert.DoesNotContain(value, runJson, StringComparison.Ordinal);
    }
}
