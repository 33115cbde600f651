using Orchestrator.Cli;

namespace EndToEnd.Tests.Cli;

public sealed class SpecFileTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("spec-file-").FullName;

    [Fact]
    public void Read_Yaml_BecomesTheApiJsonWithTypesKept()
    {
        var path = Path.Combine(_dir, "rollout.yaml");
        File.WriteAllText(path, "environment: local\nmodel: {family: llama-3, size: tiny}\nengine:\n  replicas: \"2\"\n  batchSize: 4\n");

        var json = SpecFile.Read(path, TextReader.Null);

        Assert.Equal("local", (string?)json["environment"]);
        Assert.Equal(4, (long?)json["engine"]!["batchSize"]);
        Assert.Equal(System.Text.Json.JsonValueKind.String, json["engine"]!["replicas"]!.GetValueKind());
    }

    [Fact]
    public void Read_JsonFromStdin_IsTakenAsIs()
    {
        var json = SpecFile.Read("-", new StringReader("{\"environment\":\"local\",\"extra\":1}"));
        Assert.Equal(1, (int?)json["extra"]);
    }

    [Theory]
    [InlineData("environment: [local\n", "not valid YAML")]
    [InlineData("- a\n- b\n", "must be a mapping")]
    public void Read_NotASpecDocument_IsUsageError(string text, string message)
    {
        var path = Path.Combine(_dir, "bad.yaml");
        File.WriteAllText(path, text);
        var error = Assert.Throws<UsageException>(() => SpecFile.Read(path, TextReader.Null));
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_MissingFile_IsUsageErrorNamingIt()
    {
        var error = Assert.Throws<UsageException>(() => SpecFile.Read(Path.Combine(_dir, "nope.yaml"), TextReader.Null));
        Assert.Contains("nope.yaml", error.Message, StringComparison.Ordinal);
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}
