using System.Text.Json.Nodes;
using EngineImage.Checkpoints;
using EngineImage.Tests.Fixtures;

namespace EngineImage.Tests.Checkpoints;

[Collection(ModelsCollection.Name)]
public sealed class ConvertRefusalTests(ModelsFixture models)
{
    private string Out() => Path.Combine(models.Root, "out-" + Guid.NewGuid().ToString("N"));

    private string DamagedConfig(Action<JsonNode> edit)
    {
        var dir = models.Copy(models.HfDir("llama-3"));
        var path = Path.Combine(dir, "config.json");
        var config = JsonNode.Parse(File.ReadAllText(path))!;
        edit(config);
        File.WriteAllText(path, config.ToJsonString());
        return dir;
    }

    [Theory]
    [InlineData("tokenizer.model")]
    [InlineData("config.json")]
    [InlineData("model.safetensors")]
    public void Convert_MissingFile_RefusesNamingIt(string file)
    {
        var dir = models.Copy(models.HfDir("llama-3"));
        File.Delete(Path.Combine(dir, file));
        var output = Out();
        var e = Assert.Throws<ConvertRefusedException>(() => CheckpointConverter.Convert(dir, output, int8: false));
        Assert.Contains("missing files", e.Message, StringComparison.Ordinal);
        Assert.Contains(file, e.Message, StringComparison.Ordinal);
        Assert.False(Directory.Exists(output));
    }

    [Fact]
    public void Convert_UnknownArchitecture_Refuses()
    {
        var dir = DamagedConfig(c => c["architectures"] = new JsonArray("MistralForCausalLM"));
        var e = Assert.Throws<ConvertRefusedException>(() => CheckpointConverter.Convert(dir, Out(), int8: false));
        Assert.Contains("unknown architecture MistralForCausalLM", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("intermediate_size", 256)]
    [InlineData("num_key_value_heads", 4)]
    [InlineData("vocab_size", 1000)]
    public void Convert_ConfigDisagreesWithTensors_RefusesWithShapeMismatch(string field, int value)
    {
        var dir = DamagedConfig(c => c[field] = value);
        var e = Assert.Throws<ConvertRefusedException>(() => CheckpointConverter.Convert(dir, Out(), int8: false));
        Assert.Contains("shape mismatch", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public async Task ConvertVerb_Refusal_ExitsOneWithOneLine()
    {
        var dir = models.Copy(models.HfDir("gemma"));
        File.Delete(Path.Combine(dir, "tokenizer.model"));
        var result = await EngineCli.RunAsync("convert", "--in", dir, "--out", Out());
        Assert.Equal(1, result.ExitCode);
        var line = Assert.Single(result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("convert: missing files", line, StringComparison.Ordinal);
    }

    [Fact]
    public void Validator_TamperedCheckpoint_ReportsChecksumMismatch()
    {
        var dir = models.Copy(models.EngineDir("llama-3", int8: false));
        var path = Path.Combine(dir, "model.safetensors");
        CheckpointValidator.Validate(path, Path.Combine(dir, "tokenizer.model"), "llama-3");
        using (var stream = new FileStream(path, FileMode.Open, FileAccess.ReadWrite))
        {
            stream.Seek(-3, SeekOrigin.End);
            var b = stream.ReadByte();
            stream.Seek(-1, SeekOrigin.Current);
            stream.WriteByte((byte)(b ^ 0x40));
        }
        var e = Assert.Throws<CheckpointInvalidException>(() => CheckpointValidator.Validate(path, Path.Combine(dir, "tokenizer.model")));
        Assert.Contains("checksum mismatch", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validator_CorruptHeaderOrMissingFiles_ThrowsOneLine()
    {
        var dir = models.Copy(models.EngineDir("gemma", int8: false));
        File.Delete(Path.Combine(dir, CheckpointManifest.FileName)); // no checksums: the header itself must be checked
        var path = Path.Combine(dir, "model.safetensors");
        var tokenizer = Path.Combine(dir, "tokenizer.model");
        Assert.Contains("tokenizer not found", Assert.Throws<CheckpointInvalidException>(
            () => CheckpointValidator.Validate(path, tokenizer + ".gone")).Message, StringComparison.Ordinal);
        Assert.Contains("checkpoint not found", Assert.Throws<CheckpointInvalidException>(
            () => CheckpointValidator.Validate(path + ".gone", tokenizer)).Message, StringComparison.Ordinal);
        var bytes = File.ReadAllBytes(path);
        bytes[9] = (byte)'#';
        File.WriteAllBytes(path, bytes);
        var e = Assert.Throws<CheckpointInvalidException>(() => CheckpointValidator.Validate(path, tokenizer));
        Assert.StartsWith("corrupt or unreadable checkpoint", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', e.Message);
    }
}
