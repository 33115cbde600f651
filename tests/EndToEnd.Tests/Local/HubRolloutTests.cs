using EndToEnd.Tests.Infrastructure;
using Runner.Tests.HuggingFace;

namespace EndToEnd.Tests.Local;

/// <summary>A local rollout of an <c>hf://</c> source: the runner process downloads the gated model from the fake Hub
/// (its <c>--hugging-face-endpoint</c>) with the token its spec refers to, converts and serves it.</summary>
[Collection(EndToEndCollection.Name)]
public sealed class HubRolloutTests(TinyModelFixture model)
{
    private const string Token = "hf_EndToEndTokenNeverInAnyLog98765";

    [Fact]
    public async Task Apply_GatedHfSource_DownloadsConvertsAndServes_TokenOnlyOnTheHub()
    {
        await using var hub = await FakeHub.StartAsync();
        var repo = hub.Add(FakeHubRepo.FromDirectory("org/tiny-llama", model.Dir, gatedToken: Token));
        await using var stack = await TestStack.StartAsync();
        var tokenFile = Path.Combine(stack.Dir, "hf-token");
        await File.WriteAllTextAsync(tokenFile, Token);
        await stack.StartRunnerAsync("solo", arguments: ["--hugging-face-endpoint", hub.HubUrl.ToString()]);
        var spec = stack.WriteRollout(model.Dir, replicas: 1, FreePort.Next(), FreePort.NextRange(4),
            source: "hf://org/tiny-llama@main", tokenReference: $"file://{tokenFile}");

        var applied = await stack.CliAsync("apply", "-f", spec, "--follow");

        Assert.True(applied.ExitCode == 0, applied + stack.Diagnostics());
        Assert.Contains($"is commit {repo.Commit}", applied.Stdout, StringComparison.Ordinal);
        Assert.Contains("model.safetensors", applied.Stdout, StringComparison.Ordinal);
        var generated = await stack.CliAsync("generate", "--environment", "local", "--max-tokens", "4", "Hello");
        Assert.True(generated.ExitCode == 0, generated + stack.Diagnostics());
        Assert.Equal(repo.Files.Count, hub.CdnRequests.Count(r => r.Status == 200));
        Assert.All(hub.Requests.Where(r => r.Host == "hub"), r => Assert.Equal($"Bearer {Token}", r.Authorization));
        Assert.All(hub.CdnRequests, r => Assert.Null(r.Authorization));
        Assert.DoesNotContain(Token, applied.Stdout + applied.Stderr + stack.Diagnostics(), StringComparison.Ordinal);
        Assert.DoesNotContain(Token, await File.ReadAllTextAsync(Path.Combine(stack.Dir, "runner-solo.log")), StringComparison.Ordinal);
    }
}
