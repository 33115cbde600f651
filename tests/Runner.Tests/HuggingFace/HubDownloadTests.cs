using Contracts.Specs;
using Runner.Agent;
using Runner.HuggingFace;
using Runner.Tests.Local;

namespace Runner.Tests.HuggingFace;

/// <summary>The product's Hub client against the fake Hub and CDN, serving the files of a real tiny checkpoint.</summary>
public sealed class HubDownloadTests(TinyModelFixture model) : IClassFixture<TinyModelFixture>, IAsyncLifetime
{
    private const string Token = "hf_TestTokenThatMustNeverBeLogged0123";
    private readonly TempDir _dir = new();
    private readonly HttpClient _http = HubClient.CreateHttpClient();
    private readonly SecretMasker _masker = new();
    private FakeHub _hub = null!;

    private string CacheDir => _dir.Sub("cache");

    public async Task InitializeAsync() => _hub = await FakeHub.StartAsync();

    public async Task DisposeAsync()
    {
        await _hub.DisposeAsync();
        _http.Dispose();
        _dir.Dispose();
    }

    private HubDownload Download() => new(new HubClient(_http, _hub.HubUrl), _masker, TimeProvider.System);

    private FakeHubRepo AddRepo(string id = "org/tiny", string? gatedToken = null) =>
        _hub.Add(FakeHubRepo.FromDirectory(id, model.ModelDir, gatedToken));

    private static void AssertWhole(FakeHubRepo repo, HubSnapshot snapshot)
    {
        Assert.Equal(repo.Files.Keys.Order(StringComparer.Ordinal), Directory.EnumerateFiles(snapshot.Directory).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        foreach (var (path, bytes) in repo.Files)
        {
            Assert.True(bytes.AsSpan().SequenceEqual(File.ReadAllBytes(Path.Combine(snapshot.Directory, path))), $"{path} differs from the Hub's");
            Assert.Equal(FakeHubRepo.Sha256(bytes), snapshot.Sha256[path]);
        }
    }

    [Fact]
    public async Task Download_PublicRepo_FetchesTheCheckpointFilesOnlyKeyedByCommitAndNoTokenAnywhere()
    {
        var repo = AddRepo();
        var log = new RecordingLog();

        var snapshot = await Download().DownloadAsync(new HubSource("org/tiny", "main"), null, CacheDir, log, CancellationToken.None);

        AssertWhole(repo, snapshot);
        Assert.Equal(Path.Combine(CacheDir, "org--tiny", repo.Commit), snapshot.Directory);
        Assert.True(File.Exists(Path.Combine(CacheDir, "org--tiny", $"{repo.Commit}.complete.json")));
        Assert.DoesNotContain(_hub.Requests, r => r.Path.Contains("README", StringComparison.Ordinal) || r.Path.Contains("original", StringComparison.Ordinal));
        Assert.Equal(repo.Files.Count, _hub.ResolveRequests.Count(r => r.Status == 302));
        Assert.Equal(repo.Files.Count, _hub.CdnRequests.Count(r => r.Status == 200));
        Assert.All(_hub.Requests, r => Assert.Null(r.Authorization));
        Assert.Contains(log.Lines, l => l.Contains("model.safetensors", StringComparison.Ordinal) && l.Contains("sha256 verified", StringComparison.Ordinal));
        Assert.Contains(log.Lines, l => l.Contains(repo.Commit, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Download_ConnectionCutMidFile_ResumesWithARangeAndTheFileIsWhole()
    {
        var repo = AddRepo();
        repo.CutOnce.Add("model.safetensors");
        var log = new RecordingLog();

        var snapshot = await Download().DownloadAsync(new HubSource("org/tiny", "main"), null, CacheDir, log, CancellationToken.None);

        AssertWhole(repo, snapshot);
        Assert.Equal(repo.Files.Values.Sum(b => (long)b.Length), snapshot.BytesDownloaded);
        var resumed = Assert.Single(_hub.CdnRequests, r => r.Range is not null);
        Assert.Equal(206, resumed.Status);
        Assert.Matches(@"^bytes=[1-9]\d*-$", resumed.Range);
        Assert.Contains(log.Lines, l => l.Contains("model.safetensors: resuming at", StringComparison.Ordinal));
        Assert.Empty(Directory.EnumerateFiles(snapshot.Directory, "*.partial"));
    }

    [Fact]
    public async Task Download_ResumeRefusedWith416_StartsTheFileAgainFromZero()
    {
        var repo = AddRepo();
        repo.CutOnce.Add("model.safetensors");
        repo.RefuseRangeOnce.Add("model.safetensors");
        var log = new RecordingLog();

        var snapshot = await Download().DownloadAsync(new HubSource("org/tiny", "main"), null, CacheDir, log, CancellationToken.None);

        AssertWhole(repo, snapshot);
        var transfers = _hub.CdnRequests.Where(r => r.Path.EndsWith("model.safetensors", StringComparison.Ordinal)).ToList();
        Assert.Equal([(false, 200), (true, 416), (false, 200)], transfers.Select(r => (r.Range is not null, r.Status)));
        Assert.Contains(log.Lines, l => l.Contains("416", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("model.safetensors")] // in LFS: sha256
    [InlineData("config.json")] // in git: the blob id
    public async Task Download_WrongBytes_FailsNamingTheFileAndKeepsNothingOfIt(string path)
    {
        var repo = AddRepo();
        repo.Corrupt.Add(path);

        var error = await Assert.ThrowsAsync<HubException>(() =>
            Download().DownloadAsync(new HubSource("org/tiny", "main"), null, CacheDir, new RecordingLog(), CancellationToken.None));

        Assert.Contains(path, error.Message, StringComparison.Ordinal);
        Assert.Contains("checksum", error.Message, StringComparison.Ordinal);
        var dir = Path.Combine(CacheDir, "org--tiny", repo.Commit);
        Assert.False(File.Exists(Path.Combine(dir, path)));
        Assert.False(File.Exists(Path.Combine(dir, path + ".partial")));
        Assert.False(File.Exists(Path.Combine(CacheDir, "org--tiny", $"{repo.Commit}.complete.json")));
    }

    [Fact]
    public async Task Download_SameRevisionAgain_DownloadsNothing_AndByCommitAsksTheHubNothing()
    {
        var repo = AddRepo();
        var first = await Download().DownloadAsync(new HubSource("org/tiny", "main"), null, CacheDir, new RecordingLog(), CancellationToken.None);
        var before = _hub.Requests.Count;

        var byBranch = await Download().DownloadAsync(new HubSource("org/tiny", "main"), null, CacheDir, new RecordingLog(), CancellationToken.None);
        var afterBranch = _hub.Requests.Count;
        var byCommit = await Download().DownloadAsync(new HubSource("org/tiny", repo.Commit), null, CacheDir, new RecordingLog(), CancellationToken.None);

        Assert.Equal(1, afterBranch - before); // the branch is resolved to its commit, nothing more
        Assert.Equal(afterBranch, _hub.Requests.Count);
        Assert.Equal(0, byBranch.BytesDownloaded);
        Assert.Equal(first.Directory, byCommit.Directory);
        Assert.Equal(first.Sha256, byCommit.Sha256);
        Assert.True(first.BytesDownloaded > 0);
    }

    [Fact]
    public async Task Download_CachedFileShrank_FetchesThatFileAgainOnly()
    {
        var repo = AddRepo();
        var first = await Download().DownloadAsync(new HubSource("org/tiny", "main"), null, CacheDir, new RecordingLog(), CancellationToken.None);
        await using (var config = File.OpenWrite(Path.Combine(first.Directory, "config.json"))) config.SetLength(3);
        var before = _hub.ResolveRequests.Count;

        var second = await Download().DownloadAsync(new HubSource("org/tiny", "main"), null, CacheDir, new RecordingLog(), CancellationToken.None);

        AssertWhole(repo, second);
        Assert.Equal(["config.json"], _hub.ResolveRequests.Skip(before).Select(r => Path.GetFileName(r.Path)));
    }

    [Theory]
    [InlineData(null, "needs a Hugging Face token")]
    [InlineData("hf_SomeoneElsesTokenWithoutAccess0000", "the Hugging Face token lacks access to org/gated")]
    public async Task Download_GatedRepoWithoutItsToken_FailsSayingSoAndNamingTheRepository(string? token, string message)
    {
        AddRepo("org/gated", gatedToken: Token);

        var error = await Assert.ThrowsAsync<HubException>(() =>
            Download().DownloadAsync(new HubSource("org/gated", "main"), token, CacheDir, new RecordingLog(), CancellationToken.None));

        Assert.Contains(message, error.Message, StringComparison.Ordinal);
        Assert.Contains("org/gated", error.Message, StringComparison.Ordinal);
        Assert.Equal(401, Assert.Single(_hub.Requests).Status);
    }

    [Fact]
    public async Task Download_GatedRepoWithItsToken_SendsItToTheHubOnlyAndMasksIt()
    {
        var repo = AddRepo("org/gated", gatedToken: Token);
        var log = new RecordingLog();

        var snapshot = await Download().DownloadAsync(new HubSource("org/gated", "main"), Token, CacheDir, log, CancellationToken.None);

        AssertWhole(repo, snapshot);
        Assert.All(_hub.Requests.Where(r => r.Host == "hub"), r => Assert.Equal($"Bearer {Token}", r.Authorization));
        Assert.NotEmpty(_hub.CdnRequests);
        Assert.All(_hub.CdnRequests, r => Assert.Null(r.Authorization));
        Assert.DoesNotContain(log.Lines, l => l.Contains(Token, StringComparison.Ordinal));
        Assert.Equal("Bearer ***", _masker.Apply($"Bearer {Token}"));
    }

    [Theory]
    [InlineData("config.json", true)]
    [InlineData("generation_config.json", true)]
    [InlineData("tokenizer.model", true)]
    [InlineData("tokenizer.json", true)]
    [InlineData("tokenizer_config.json", true)]
    [InlineData("special_tokens_map.json", true)]
    [InlineData("model.safetensors", true)]
    [InlineData("model-00001-of-00004.safetensors", true)]
    [InlineData("model.safetensors.index.json", true)]
    [InlineData("original/tokenizer.model", true)]
    [InlineData("original/consolidated.00.pth", false)]
    [InlineData("original/params.json", false)]
    [InlineData("pytorch_model.bin", false)]
    [InlineData("README.md", false)]
    [InlineData("onnx/model.safetensors", false)]
    public void CheckpointFiles_AreWhatTheConverterReads(string path, bool needed) => Assert.Equal(needed, CheckpointFiles.IsNeeded(path));

    [Fact]
    public async Task Download_HubUnreachable_FailsNamingTheEndpoint()
    {
        var endpoint = new Uri($"http://127.0.0.1:{FreePort.Next()}/");
        var download = new HubDownload(new HubClient(_http, endpoint), _masker, TimeProvider.System);

        var error = await Assert.ThrowsAsync<HubException>(() =>
            download.DownloadAsync(new HubSource("org/tiny", "main"), null, CacheDir, new RecordingLog(), CancellationToken.None));

        Assert.Contains($"the Hub at {endpoint} could not be reached to look up hf://org/tiny@main", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("org/missing", "main")]
    [InlineData("org/tiny", "no-such-branch")]
    public async Task Download_UnknownRepositoryOrRevision_FailsSayingNotFound(string repository, string revision)
    {
        AddRepo();

        var error = await Assert.ThrowsAsync<HubException>(() =>
            Download().DownloadAsync(new HubSource(repository, revision), null, CacheDir, new RecordingLog(), CancellationToken.None));

        Assert.Contains($"revision {revision} of {repository} not found", error.Message, StringComparison.Ordinal);
    }
}
