using System.Text.Json.Nodes;
using EngineImage.Checkpoints;
using EngineImage.Model;
using EngineImage.Safetensors;
using EngineImage.Tests.Fixtures;
using static TorchSharp.torch;

namespace EngineImage.Tests.Checkpoints;

/// <summary>
/// The <c>jetstream-pytorch</c> layout against what JetStream-PyTorch's own converter writes. The golden header
/// (<c>Golden/jetstream-pytorch-llama-3-tiny.json</c>) was derived from the upstream converter's rules by
/// <c>Golden/derive_jetstream_header.py</c>, not from our output: names, dtypes and shapes of every tensor, scalers
/// included. The values the header cannot show (the rotary row order, the scalers' axes) are checked here too.
/// </summary>
[Collection(ModelsCollection.Name)]
public sealed class JetStreamLayoutTests(ModelsFixture models)
{
    private static JsonNode Golden()
    {
        var path = Path.Combine(AppContext.BaseDirectory, "Checkpoints", "Golden", "jetstream-pytorch-llama-3-tiny.json");
        Assert.True(File.Exists(path), $"golden header missing: {path}");
        return JsonNode.Parse(File.ReadAllText(path))!;
    }

    private static bool Same(Tensor a, Tensor b) => a.shape.SequenceEqual(b.shape) && a.eq(b).all().item<bool>();

    private string Convert(bool int8)
    {
        var output = Path.Combine(models.Root, "jetstream-" + Guid.NewGuid().ToString("N"));
        var manifest = CheckpointConverter.Convert(models.HfDir("llama-3"), output, int8, layout: CheckpointLayout.JetStreamPyTorch);
        Assert.Equal(CheckpointLayouts.JetStreamPyTorchName, manifest.Layout);
        return output;
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Header_IsWhatJetStreamPyTorchsConverterWrites(bool int8)
    {
        var dir = Convert(int8);
        using var file = SafetensorsFile.Open(Path.Combine(dir, CheckpointConverter.ModelFile));
        var expected = Golden()[int8 ? "int8" : "bf16"]!.AsObject();
        var actual = file.Tensors.Values.ToDictionary(t => t.Name, t => (t.DType, Shape: string.Join(",", t.Shape)));
        Assert.Equal(expected.Select(e => e.Key).Order(StringComparer.Ordinal), actual.Keys.Order(StringComparer.Ordinal));
        foreach (var (name, entry) in expected)
        {
            var want = ((string)entry!["dtype"]!, string.Join(",", entry["shape"]!.AsArray().Select(d => (long)d!)));
            Assert.True(want == actual[name], $"{name}: JetStream-PyTorch writes {want}, we wrote {actual[name]}");
        }
    }

    [Fact]
    public void QueryAndKeyRows_AreInterleavedAsMetasRotaryOrder_OtherWeightsUnchanged()
    {
        var dir = Convert(int8: false);
        using var hf = SafetensorsCheckpoint.Open(models.HfDir("llama-3"));
        using var ours = SafetensorsFile.Open(Path.Combine(dir, CheckpointConverter.ModelFile));
        var config = ModelConfig.FromJson(ours.Metadata["config"]);
        var half = config.HeadDim / 2;
        using var hfQ = hf.Read("model.layers.1.self_attn.q_proj.weight");
        using var q = ours.Read(EngineWeightNames.Wq(1));
        for (var head = 0; head < config.Heads; head++)
            for (var i = 0; i < half; i++)
                for (var t = 0; t < 2; t++)
                {
                    // Meta's row (head, i, t) is Hugging Face's row (head, t, i).
                    using var ourRow = q[(head * config.HeadDim) + (2 * i) + t];
                    using var hfRow = hfQ[(head * config.HeadDim) + (t * half) + i];
                    Assert.True(Same(ourRow, hfRow), $"wq row of head {head}, pair {i}, element {t}");
                }
        using var hfK = hf.Read("model.layers.0.self_attn.k_proj.weight");
        using var k = ours.Read(EngineWeightNames.Wk(0));
        Assert.False(Same(k, hfK));
        Assert.True(Same(k[1], hfK[half]));
        using var hfV = hf.Read("model.layers.0.self_attn.v_proj.weight");
        using var v = ours.Read(EngineWeightNames.Wv(0));
        Assert.True(Same(v, hfV));
    }

    [Fact]
    public void Int8Scalers_PerOutputRowForLinear_PerEmbeddingColumnForTheEmbedding()
    {
        var dir = Convert(int8: true);
        using var hf = SafetensorsCheckpoint.Open(models.HfDir("llama-3"));
        using var ours = SafetensorsFile.Open(Path.Combine(dir, CheckpointConverter.ModelFile));
        using var embedding = hf.Read(HfNames.Embedding);
        using var embeddingScaler = ours.Read(EngineWeightNames.Scaler(EngineWeightNames.Embedding));
        using var columnMax = embedding.abs().amax([0]).div(127).to(bfloat16);
        Assert.True(Same(embeddingScaler, columnMax));
        using var w2 = hf.Read("model.layers.0.mlp.down_proj.weight");
        using var w2Scaler = ours.Read(EngineWeightNames.Scaler(EngineWeightNames.W2(0)));
        using var rowMax = w2.abs().amax([1]).div(127).to(bfloat16);
        Assert.True(Same(w2Scaler, rowMax));
        // Dequantized, the weight is the original within 1.5 steps of its row's scale: half a step of rounding, the rest
        // because upstream computes in the weight's bfloat16 (a scale rounded down clamps the row's largest value at 127,
        // and w * (1 / scale) loses bits before it is rounded). Measured here: 1.07 steps at most.
        using var q = ours.Read(EngineWeightNames.W2(0));
        using var back = q.to(float32).mul(w2Scaler.to(float32).unsqueeze(1));
        using var error = back.sub(w2.to(float32)).abs().amax([1]);
        using var steps = error.div(w2Scaler.to(float32));
        Assert.True(error.le(w2Scaler.to(float32).mul(1.5)).all().item<bool>(), $"max error {steps.max().item<float>()} steps");
    }

    [Fact]
    public void TheEngine_RefusesACheckpointInJetStreamsLayout_NamingIt()
    {
        var dir = Convert(int8: false);
        var e = Assert.Throws<CheckpointInvalidException>(() => CheckpointValidator.Validate(
            Path.Combine(dir, CheckpointConverter.ModelFile), Path.Combine(dir, CheckpointConverter.TokenizerFile)));
        Assert.Contains("jetstream-pytorch layout", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Gemma_IsRefusedInJetStreamsLayout()
    {
        var output = Path.Combine(models.Root, "jetstream-gemma-" + Guid.NewGuid().ToString("N"));
        var e = Assert.Throws<ConvertRefusedException>(() => CheckpointConverter.Convert(models.HfDir("gemma"), output, int8: false, layout: CheckpointLayout.JetStreamPyTorch));
        Assert.Contains("Llama", e.Message, StringComparison.Ordinal);
        Assert.False(Directory.Exists(output));
    }
}
