using System.Text.Json.Nodes;
using EngineImage.Checkpoints;
using EngineImage.Model;
using EngineImage.Safetensors;
using EngineImage.TestModels;
using EngineImage.Tests.Fixtures;

namespace EngineImage.Tests.Checkpoints;

[Collection(ModelsCollection.Name)]
public sealed class ConvertTests(ModelsFixture models)
{
    [Theory]
    [InlineData("llama-3", false)]
    [InlineData("gemma", true)]
    public void Convert_Output_HasEngineNamesConfigAndManifest(string family, bool int8)
    {
        var dir = models.EngineDir(family, int8);
        var manifest = CheckpointManifest.Read(Path.Combine(dir, CheckpointManifest.FileName));
        Assert.Equal((family, "tiny", "bfloat16", int8 ? "int8" : "none"), (manifest.Family, manifest.Size, manifest.DType, manifest.Quantization));
        Assert.Equal(CheckpointManifest.Sha256(Path.Combine(dir, "model.safetensors")), manifest.Files["model.safetensors"]);
        Assert.Equal(CheckpointManifest.Sha256(Path.Combine(dir, "tokenizer.model")), manifest.Files["tokenizer.model"]);
        using var checkpoint = SafetensorsCheckpoint.Open(Path.Combine(dir, "model.safetensors"));
        var config = ModelConfig.FromJson(checkpoint.Metadata["config"]);
        Assert.Equal(family, config.Family);
        Assert.Contains(EngineWeightNames.Embedding, checkpoint.Tensors.Keys);
        Assert.Contains("layers.1.feed_forward.w3.weight", checkpoint.Tensors.Keys);
        Assert.Equal(family == "llama-3", checkpoint.Contains(EngineWeightNames.Output));
        Assert.Equal(int8, checkpoint.Contains("tok_embeddings.weight_scaler"));
        Assert.DoesNotContain(checkpoint.Tensors.Keys, k => k.StartsWith("model.", StringComparison.Ordinal));
    }

    [Fact]
    public void Convert_ShardedHfCheckpoint_GivesTheSameTensors()
    {
        var sharded = models.Copy(models.HfDir("gemma"));
        var single = Path.Combine(sharded, "model.safetensors");
        var map = new JsonObject();
        using (var source = SafetensorsFile.Open(single))
        {
            var names = source.Tensors.Keys.Order(StringComparer.Ordinal).ToList();
            var halves = new[] { names.Take(names.Count / 2).ToList(), names.Skip(names.Count / 2).ToList() };
            for (var i = 0; i < 2; i++)
            {
                var file = $"model-0000{i + 1}-of-00002.safetensors";
                SafetensorsWriter.Write(Path.Combine(sharded, file), halves[i].Select(n => new KeyValuePair<string, TorchSharp.torch.Tensor>(n, source.Read(n))).ToList());
                foreach (var n in halves[i]) map[n] = file;
            }
        }
        File.Delete(single);
        File.WriteAllText(Path.Combine(sharded, "model.safetensors.index.json"), new JsonObject { ["weight_map"] = map }.ToJsonString());
        var output = Path.Combine(models.Root, "sharded-out-" + Guid.NewGuid().ToString("N"));
        var manifest = CheckpointConverter.Convert(sharded, output, int8: false);
        var expected = CheckpointManifest.Read(Path.Combine(models.EngineDir("gemma", int8: false), CheckpointManifest.FileName));
        Assert.Equal(expected.Files["model.safetensors"], manifest.Files["model.safetensors"]);
    }

    [Fact]
    public void Convert_TokenizerOnlyUnderOriginal_AsInMetasLlama3Repositories_GivesTheSameCheckpoint()
    {
        var dir = models.Copy(models.HfDir("llama-3"));
        Directory.CreateDirectory(Path.Combine(dir, "original"));
        File.Move(Path.Combine(dir, CheckpointConverter.TokenizerFile), Path.Combine(dir, "original", CheckpointConverter.TokenizerFile));
        var output = Path.Combine(models.Root, "original-tokenizer-out-" + Guid.NewGuid().ToString("N"));

        var manifest = CheckpointConverter.Convert(dir, output, int8: false);

        var expected = CheckpointManifest.Read(Path.Combine(models.EngineDir("llama-3", int8: false), CheckpointManifest.FileName));
        Assert.Equal(expected.Files, manifest.Files);
    }

    [Fact]
    public void TestModelWriter_SameSeed_SameBytes_OtherSeed_Different()
    {
        var a = Path.Combine(models.Root, "seed-a");
        var b = Path.Combine(models.Root, "seed-b");
        TestModelWriter.Write("gemma", "tiny", a, ModelsFixture.Seed);
        TestModelWriter.Write("gemma", "tiny", b, ModelsFixture.Seed + 1);
        var original = CheckpointManifest.Sha256(Path.Combine(models.HfDir("gemma"), "model.safetensors"));
        Assert.Equal(original, CheckpointManifest.Sha256(Path.Combine(a, "model.safetensors")));
        Assert.NotEqual(original, CheckpointManifest.Sha256(Path.Combine(b, "model.safetensors")));
    }

    [Theory]
    [InlineData("llama-3")]
    [InlineData("gemma")]
    public void SmallShape_IsAboutAHundredMillionParameters(string family)
    {
        var vocab = family == "llama-3" ? 50512 : 8262;
        var config = TestModelWriter.Shape(family, "small", vocab);
        Assert.InRange(config.ParameterCount, 80_000_000, 130_000_000);
        Assert.True(config.KvHeads < config.Heads, "small models use grouped-query attention");
    }
}
