using Contracts.Specs;

namespace Orchestrator.Tests.Rollouts;

public sealed class HubSourceTests
{
    [Theory]
    [InlineData("hf://google/gemma-7b-it-pytorch", "google/gemma-7b-it-pytorch", "main")]
    [InlineData("hf://meta-llama/Meta-Llama-3-8B@v1.0", "meta-llama/Meta-Llama-3-8B", "v1.0")]
    [InlineData("hf://org/m@{tag}", "org/m", "{tag}")]
    [InlineData("hf://org/m.v2_x@refs/pr/1", "org/m.v2_x", "refs/pr/1")]
    public void TryParse_WellFormed_GivesRepositoryAndRevision(string source, string repository, string revision)
    {
        Assert.True(HubSource.TryParse(source, out var parsed, out var error), error);
        Assert.Equal(new HubSource(repository, revision), parsed);
    }

    [Theory]
    [InlineData("hf://gemma-7b")]
    [InlineData("hf://org/")]
    [InlineData("hf:///name")]
    [InlineData("hf://org/name/extra")]
    [InlineData("hf://org/na me")]
    [InlineData("hf://org/name@")]
    [InlineData("hf://org/name@a b")]
    [InlineData("file:///models/x")]
    public void TryParse_Malformed_IsRefusedWithAReason(string source)
    {
        Assert.False(HubSource.TryParse(source, out var parsed, out var error));
        Assert.Null(parsed);
        Assert.False(string.IsNullOrEmpty(error));
    }

    [Theory]
    [InlineData("0123456789abcdef0123456789abcdef01234567", true)]
    [InlineData("main", false)]
    [InlineData("0123456", false)]
    public void IsCommit_OnlyAFullSha(string revision, bool commit) => Assert.Equal(commit, new HubSource("o/n", revision).IsCommit);
}
