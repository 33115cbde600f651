using static TorchSharp.torch;

namespace EngineImage.Model;

/// <summary>One decoder layer's weights. Norm weights are float32 and already include Gemma's <c>1 +</c> offset.</summary>
internal sealed record LayerWeights(
    Tensor AttentionNorm, WeightMatrix Wq, WeightMatrix Wk, WeightMatrix Wv, WeightMatrix Wo,
    Tensor FfnNorm, WeightMatrix W1, WeightMatrix W2, WeightMatrix W3) : IDisposable
{
    public long Bytes => AttentionNorm.NumberOfElements * 4 + FfnNorm.NumberOfElements * 4
        + new[] { Wq, Wk, Wv, Wo, W1, W2, W3 }.Sum(w => w.Bytes);

    public void Dispose()
    {
        AttentionNorm.Dispose();
        FfnNorm.Dispose();
        foreach (var w in new[] { Wq, Wk, Wv, Wo, W1, W2, W3 }) w.Dispose();
    }
}
