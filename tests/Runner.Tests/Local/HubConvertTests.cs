using Contracts;
using Contracts.Specs;
using Runner.Tests.HuggingFace;

namespace Runner.Tests.Local;

/// <summary><c>checkpoint.convert</c> of an <c>hf://</c> source on the local target: download from the fake Hub, then the
/// real engine's conversion, as for a <c>file://</c> source.</summary>
public sealed class HubConvertTests(TinyModelFixture model) : IClassFixture<TinyModelFixture>, IAsyncLifetime
{
    private const string Token = "hf_LocalTargetTokenNeverInALog4567";
    private FakeHub _hub = null!;

    public async Task InitializeAsync() => _hub = await FakeHub.StartAsync();

    public async Task DisposeAsync() => await _hub.DisposeAsync();

    private LocalTargetHarness Target(string source, string tokenReference = "")
    {
        var target = new LocalTargetHarness(model.ModelDir);
        target.Options.HuggingFaceEndpoint = _hub.HubUrl;
        target.Spec = target.Spec with
        {
            Model = target.Spec.Model with { Source = source },
            Target = target.Spec.Target with { Local = target.Spec.Target.Local! with { HuggingFaceToken = tokenReference } },
        };
        return target;
    }

    [Fact]
    public async Task Convert_GatedHfSourceWithTokenFile_ConvertsAndTheSameRevisionAgainDownloadsNothing()
    {
        var repo = _hub.Add(FakeHubRepo.FromDirectory("org/gated-tiny", model.ModelDir, gatedToken: Token));
        using var dir = new TempDir();
        var tokenFile = dir.Sub("hf-token");
        await File.WriteAllTextAsync(tokenFile, Token + "\n");
        await using var target = Target("hf://org/gated-tiny@main", $"file://{tokenFile}");

        var (first, firstLog) = await target.RunAsync(StepKinds.CheckpointConvert, "r1");
        var afterFirst = _hub.Requests.Count;
        var (second, secondLog) = await target.RunAsync(StepKinds.CheckpointConvert, "r2");

        Assert.True(first.Outcome == StepStatuses.Succeeded, $"{first.Error}\n{firstLog}");
        Assert.True(File.Exists(first.Outputs!["checkpointPath"]!.GetValue<string>()));
        Assert.Equal(repo.Files.Count, _hub.CdnRequests.Count);
        Assert.Equal(StepStatuses.Skipped, second.Outcome);
        Assert.Equal(first.Outputs!.ToJsonString(), second.Outputs!.ToJsonString());
        Assert.Equal(["revision"], _hub.Requests.Skip(afterFirst).Select(r => r.Path.Split('/')[^2]));
        Assert.Contains(secondLog.Lines, l => l.Contains("nothing to download", StringComparison.Ordinal));
        Assert.All(_hub.CdnRequests, r => Assert.Null(r.Authorization));
        Assert.DoesNotContain(Token, firstLog + "\n" + secondLog, StringComparison.Ordinal);
        Assert.Equal("***", target.Masker.Apply(Token));

        // The same files from a directory are the same source: the conversion is found, not redone.
        target.Spec = target.Spec with { Model = target.Spec.Model with { Source = $"file://{model.ModelDir}" } };
        var (fromDir, _) = await target.RunAsync(StepKinds.CheckpointConvert, "r3");
        Assert.Equal(StepStatuses.Skipped, fromDir.Outcome);
        Assert.Equal(first.Outputs!["checkpointDir"]!.GetValue<string>(), fromDir.Outputs!["checkpointDir"]!.GetValue<string>());
    }

    [Fact]
    public async Task Convert_GatedHfSourceWithAStoredSecret_DownloadsWithTheValueTheClaimCarried()
    {
        _hub.Add(FakeHubRepo.FromDirectory("org/gated-tiny", model.ModelDir, gatedToken: Token));
        await using var target = Target("hf://org/gated-tiny@main", "secret://hf-token");
        target.Secrets = new Dictionary<string, string> { ["secret://hf-token"] = Token };

        var (result, log) = await target.RunAsync(StepKinds.CheckpointConvert, "r1");

        Assert.True(result.Outcome == StepStatuses.Succeeded, $"{result.Error}\n{log}");
        Assert.All(_hub.Requests.Where(r => r.Host == "hub"), r => Assert.Equal($"Bearer {Token}", r.Authorization));
        Assert.DoesNotContain(Token, log + result.Outputs!.ToJsonString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Convert_StoredSecretTheClaimDidNotCarry_FailsNamingIt()
    {
        _hub.Add(FakeHubRepo.FromDirectory("org/tiny", model.ModelDir));
        await using var target = Target("hf://org/tiny", "secret://gone");

        var (result, _) = await target.RunAsync(StepKinds.CheckpointConvert, "r1");

        Assert.Equal(StepStatuses.Failed, result.Outcome);
        Assert.Contains("target.local.huggingFaceToken: the orchestrator sent no value for secret://gone", result.Error, StringComparison.Ordinal);
        Assert.Empty(_hub.Requests);
    }

    [Fact]
    public async Task Convert_MetaLayoutWithTheTokenizerUnderOriginal_DownloadsItAndConverts()
    {
        var files = FakeHubRepo.FromDirectory("x/y", model.ModelDir).Files.ToDictionary(
            f => f.Key == "tokenizer.model" ? "original/tokenizer.model" : f.Key, f => f.Value, StringComparer.Ordinal);
        _hub.Add(new FakeHubRepo("meta/tiny-llama", files));
        await using var target = Target("hf://meta/tiny-llama");

        var (result, log) = await target.RunAsync(StepKinds.CheckpointConvert, "r1");

        Assert.True(result.Outcome == StepStatuses.Succeeded, $"{result.Error}\n{log}");
        Assert.Contains(_hub.CdnRequests, r => r.Path.EndsWith("/original/tokenizer.model", StringComparison.Ordinal));
        Assert.DoesNotContain(_hub.Requests, r => r.Path.Contains("consolidated", StringComparison.Ordinal));
        Assert.True(File.Exists(result.Outputs!["tokenizerPath"]!.GetValue<string>()));
    }

    [Theory]
    [InlineData(false, "org/gated-tiny needs a Hugging Face token")]
    [InlineData(true, "the Hugging Face token lacks access to org/gated-tiny")]
    public async Task Convert_GatedHfSourceWithoutItsToken_FailsNamingTheRepository(bool wrongToken, string message)
    {
        _hub.Add(FakeHubRepo.FromDirectory("org/gated-tiny", model.ModelDir, gatedToken: Token));
        using var dir = new TempDir();
        var tokenFile = dir.Sub("hf-token");
        await File.WriteAllTextAsync(tokenFile, "hf_NotTheRightTokenForThisRepo000000");
        await using var target = Target("hf://org/gated-tiny", wrongToken ? $"file://{tokenFile}" : "");

        var (result, log) = await target.RunAsync(StepKinds.CheckpointConvert, "r1");

        Assert.Equal(StepStatuses.Failed, result.Outcome);
        Assert.Contains(message, result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("hf_NotTheRightTokenForThisRepo000000", result.Error + log, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Convert_HfFileFailsItsChecksum_FailsNamingTheFileWithoutConverting()
    {
        var repo = _hub.Add(FakeHubRepo.FromDirectory("org/tiny", model.ModelDir));
        repo.Corrupt.Add("model.safetensors");
        await using var target = Target("hf://org/tiny");

        var (result, log) = await target.RunAsync(StepKinds.CheckpointConvert, "r1");

        Assert.Equal(StepStatuses.Failed, result.Outcome);
        Assert.Contains("model.safetensors of org/tiny", result.Error, StringComparison.Ordinal);
        Assert.Contains("checksum", result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain(log.Lines, l => l.Contains("engine convert", StringComparison.Ordinal) || l.StartsWith("$ ", StringComparison.Ordinal));
        Assert.False(Directory.Exists(target.ArtifactsDir) && Directory.EnumerateFileSystemEntries(target.ArtifactsDir).Any());
    }

    [Fact]
    public async Task Convert_TokenReferenceFileMissing_FailsNamingIt()
    {
        _hub.Add(FakeHubRepo.FromDirectory("org/tiny", model.ModelDir));
        await using var target = Target("hf://org/tiny", "file:///nonexistent/hf-token");

        var (result, _) = await target.RunAsync(StepKinds.CheckpointConvert, "r1");

        Assert.Equal(StepStatuses.Failed, result.Outcome);
        Assert.Contains("target.local.huggingFaceToken: /nonexistent/hf-token does not exist", result.Error, StringComparison.Ordinal);
        Assert.Empty(_hub.Requests);
    }
}
