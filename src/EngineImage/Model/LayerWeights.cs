using static TorchSharp.torch;

namespace EngineImage.Model;

/// <summary>
/// One decoder layer's weights. Norm weights are float32 and already include Gemma's <c>1 +</c> offset.
/// <see cref="Wqkv"/> stacks wq, wk, wv and <see cref="W13"/> stacks w1 (gate) and w3 (up) by output rows, so each
/// layer runs two wide products instead of five narrow ones (fewer calls, better use of the weight stream at batch 1).
/// </summary>
internal sealed record LayerWeights(
    Tensor AttentionNorm, WeightMatrix Wqkv, WeightMatrix Wo, Tensor FfnNorm, WeightMatrix W13, WeightMatrix W2) : IDisposable
{
    public long Bytes => AttentionNorm.NumberOfElements * 4 + FfnNorm.NumberOfElements * 4
        + new[] { Wqkv, Wo, W13, W2 }.Sum(w => w.Bytes);

    public void Dispose()
    {
        AttentionNorm.Dispose();
        FfnNorm.Dispose();
        foreach (var w in new[] { Wqkv, Wo, W13, W2 }) w.Dispose();
    }
}
