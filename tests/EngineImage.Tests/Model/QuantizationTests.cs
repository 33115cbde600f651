using EngineImage.Checkpoints;
using EngineImage.Model;
using EngineImage.Safetensors;
using EngineImage.Tests.Fixtures;
using static TorchSharp.torch;

namespace EngineImage.Tests.Model;

[Collection(ModelsCollection.Name)]
public sealed class QuantizationTests(ModelsFixture models)
{
    private static readonly int[] Tokens = [5, 900, 17, 4242, 61, 300, 8, 1200, 77, 2500, 33, 4000];

    /// <summary>Prefill logits for the first half, then decode logits for the rest (which read the cache back).</summary>
    private static Tensor Logits(TransformerModel model)
    {
        const int prompt = 6;
        var rows = new List<Tensor> { model.PrefillLogits(1, Tokens.AsSpan(0, prompt), lastOnly: false) };
        for (var p = prompt; p < Tokens.Length; p++) rows.Add(model.DecodeLogits([1], [Tokens[p]], [p]));
        var all = cat(rows, 0);
        foreach (var r in rows) r.Dispose();
        return all;
    }

    [Theory]
    [InlineData("llama-3", true, false)]
    [InlineData("llama-3", false, true)]
    [InlineData("llama-3", true, true)]
    [InlineData("gemma", true, false)]
    [InlineData("gemma", false, true)]
    [InlineData("gemma", true, true)]
    public void Logits_Int8_CosineAtLeast099AgainstF32(string family, bool int8Weights, bool int8Kv)
    {
        using var reference = models.Load(family);
        using var quantized = models.Load(family, int8Weights: int8Weights, int8Kv: int8Kv);
        Assert.Equal(int8Weights, quantized.Description.Int8Weights);
        Assert.Equal(int8Kv, quantized.Description.Int8KvCache);
        using var expected = Logits(reference);
        using var actual = Logits(quantized);
        var cosine = TensorAssert.MinRowCosine(actual, expected);
        Assert.True(cosine >= 0.99, $"cosine {cosine:F5} < 0.99");
        // Not a no-op: quantization changes the numbers.
        Assert.True(TensorAssert.RelativeError(actual, expected) > 1e-6);
    }

    [Fact]
    public void QuantizeAtLoad_FloatCheckpoint_MatchesConvertedInt8()
    {
        var options = models.Options("llama-3") with { QuantizeWeights = true };
        using var atLoad = ModelLoader.LoadTransformer(options);
        using var converted = models.Load("llama-3", int8Weights: true);
        Assert.True(atLoad.Description.Int8Weights);
        using var a = Logits(atLoad);
        using var b = Logits(converted);
        TensorAssert.Close(a, b, 1e-5);
    }

    [Fact]
    public void Quantizer_EveryTensor_ErrorWithinHalfAScale()
    {
        using var hf = SafetensorsFile.Open(Path.Combine(models.HfDir("llama-3"), "model.safetensors"));
        foreach (var name in hf.Tensors.Keys.Where(n => !n.EndsWith("norm.weight", StringComparison.Ordinal)))
        {
            using var scope = NewDisposeScope();
            var w = hf.Read(name).to(float32);
            var (q, scale) = Int8Quantizer.Quantize(w);
            AssertWithinHalfScale(name, w, q, scale);
        }
    }

    [Fact]
    public void Quantizer_ZeroRow_UsesTheScaleFloor()
    {
        using var w = tensor(new float[] { 0, 0, 0, 1, -2, 0.5f }).view(2, 3);
        var (q, scale) = Int8Quantizer.Quantize(w);
        using (q)
        using (scale)
        {
            Assert.Equal([Int8Quantizer.MinScale, 2f / 127], scale.data<float>().ToArray());
            Assert.Equal(new sbyte[] { 0, 0, 0, 64, -127, 32 }, q.data<sbyte>().ToArray());
        }
    }

    [Theory]
    [InlineData("llama-3")]
    [InlineData("gemma")]
    public void ConvertedInt8_EveryTensor_ErrorWithinHalfAScale(string family)
    {
        using var hf = SafetensorsCheckpoint.Open(models.HfDir(family));
        using var engine = SafetensorsCheckpoint.Open(models.EngineDir(family, int8: true));
        var quantized = 0;
        foreach (var (hfName, engineName, _) in HfNames.Expected(HfConfig.Read(Path.Combine(models.HfDir(family), "config.json"))))
        {
            using var scope = NewDisposeScope();
            if (!EngineWeightNames.IsQuantizable(engineName))
            {
                Assert.Equal("BF16", engine.Tensors[engineName].DType);
                continue;
            }
            Assert.Equal("I8", engine.Tensors[engineName].DType);
            AssertWithinHalfScale(engineName, hf.Read(hfName).to(float32), engine.Read(engineName),
                engine.Read(EngineWeightNames.Scaler(engineName)));
            quantized++;
        }
        Assert.True(quantized >= 8);
    }

    private static void AssertWithinHalfScale(string name, Tensor w, Tensor q, Tensor scale)
    {
        Assert.Equal(ScalarType.Int8, q.dtype);
        Assert.Equal(new[] { w.shape[0] }, scale.shape);
        Assert.True(scale.min().item<float>() >= Int8Quantizer.MinScale, $"{name}: scale below the floor");
        var error = w.sub(q.to(float32).mul(scale.unsqueeze(1))).abs();
        // Half a scale, plus float32 rounding of the product.
        var bound = scale.unsqueeze(1).mul(0.5 * (1 + 1e-5));
        Assert.True(error.le(bound).all().item<bool>(), $"{name}: |w - q*scale| exceeds scale/2");
        // The largest magnitude in each row maps to ±127, unless the row's scale sits on the floor.
        var rowMax = q.abs().to(int64).amax([1]);
        var unfloored = scale.gt(Int8Quantizer.MinScale);
        Assert.True(rowMax.masked_select(unfloored).eq(127).all().item<bool>(), $"{name}: a row's largest value is not ±127");
    }
}
