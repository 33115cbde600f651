using System.Text.Json.Nodes;
using EngineImage.Checkpoints;
using EngineImage.Tests.Fixtures;

namespace EngineImage.Tests.Published;

/// <summary>Directories the engine cannot serve faithfully are refused with one line naming what is unsupported.</summary>
[Collection(ModelsCollection.Name)]
public sealed class UnsupportedConfigTests(ModelsFixture models)
{
    private string Edited(string family, Action<JsonObject> edit)
    {
        var dir = models.Copy(models.HfDir(family));
        var path = Path.Combine(dir, "config.json");
        var config = JsonNode.Parse(File.ReadAllText(path))!.AsObject();
        edit(config);
        File.WriteAllText(path, config.ToJsonString());
        return dir;
    }

    public static TheoryData<string, string, string> Cases => new()
    {
        { "llama-3", """{"architectures": ["MistralForCausalLM"], "model_type": "mistral"}""", "unknown architecture MistralForCausalLM" },
        { "llama-3", """{"architectures": ["Qwen2ForCausalLM"], "model_type": "qwen2"}""", "unknown architecture Qwen2ForCausalLM" },
        { "llama-3", """{"model_type": "qwen2"}""", "unsupported model_type qwen2" },
        { "gemma", """{"architectures": ["Gemma2ForCausalLM"], "model_type": "gemma2"}""", "unsupported architecture Gemma2ForCausalLM: the engine lacks attention logit soft-capping" },
        { "llama-3", """{"rope_scaling": {"rope_type": "yarn", "factor": 4.0, "original_max_position_embeddings": 32768}}""", "unsupported rope_scaling type yarn" },
        { "llama-3", """{"rope_scaling": {"type": "linear", "factor": 2.0}}""", "unsupported rope_scaling type linear" },
        { "llama-3", """{"quantization_config": {"quant_method": "bitsandbytes", "load_in_4bit": true}}""", "unsupported quantization_config (quant_method bitsandbytes)" },
        { "llama-3", """{"attention_bias": true}""", "unsupported attention_bias: true" },
        { "llama-3", """{"hidden_act": "gelu"}""", "unsupported hidden_act gelu" },
        { "gemma", """{"hidden_activation": "gelu"}""", "unsupported hidden_activation gelu" },
        { "llama-3", """{"rope_scaling": {"rope_type": "llama3", "factor": 8.0, "low_freq_factor": 1.0}}""", "rope_scaling lacks high_freq_factor" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Convert_UnsupportedSetting_RefusesNamingIt(string family, string patch, string expected)
    {
        var dir = Edited(family, c =>
        {
            foreach (var (key, value) in JsonNode.Parse(patch)!.AsObject()) c[key] = value?.DeepClone();
        });
        var output = Path.Combine(models.Root, "out-" + Guid.NewGuid().ToString("N"));
        var e = Assert.Throws<ConvertRefusedException>(() => CheckpointConverter.Convert(dir, output, int8: false));
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', e.Message);
        Assert.False(Directory.Exists(output));
    }

    [Fact]
    public async Task ConvertVerb_Gemma2_ExitsOneWithOneLineNamingIt()
    {
        var dir = Edited("gemma", c => c["architectures"] = new JsonArray("Gemma2ForCausalLM"));
        var result = await EngineCli.RunAsync("convert", "--in", dir, "--out", Path.Combine(models.Root, "out-" + Guid.NewGuid().ToString("N")));
        Assert.Equal(1, result.ExitCode);
        var line = Assert.Single(result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("convert: unsupported architecture Gemma2ForCausalLM", line, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"hidden_act": "gelu"}""")] // the first published Gemma configs: transformers computes tanh GELU anyway
    [InlineData("""{"hidden_act": "gelu", "hidden_activation": "gelu_pytorch_tanh"}""")]
    [InlineData("""{"rope_scaling": null, "tie_word_embeddings": true}""")]
    public void Read_PublishedGemmaVariants_Accepted(string patch)
    {
        var dir = Edited("gemma", c =>
        {
            foreach (var (key, value) in JsonNode.Parse(patch)!.AsObject()) c[key] = value?.DeepClone();
        });
        var config = HfConfig.Read(Path.Combine(dir, "config.json"));
        Assert.True(config.TiedOutput);
        Assert.Null(config.RopeScaling);
    }

    [Theory]
    [InlineData("""{"eos_token_id": 7}""", new[] { 7 })]
    [InlineData("""{"eos_token_id": [7, 9]}""", new[] { 7, 9 })]
    public void Read_EosTokenId_IntOrList(string generationConfig, int[] expected)
    {
        var dir = models.Copy(models.HfDir("llama-3"));
        File.WriteAllText(Path.Combine(dir, "generation_config.json"), generationConfig);
        Assert.Equal(expected, HfConfig.Read(Path.Combine(dir, "config.json")).EosTokenIds);
    }
}
