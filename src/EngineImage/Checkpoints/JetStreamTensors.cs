using static TorchSharp.torch;

namespace EngineImage.Checkpoints;

/// <summary>The tensor transforms of JetStream-PyTorch's Hugging Face converter (<c>convert_checkpoints.py</c> before
/// it was removed upstream, with <c>quantize.py</c>): the rotary permutation of query and key rows, and symmetric int8
/// quantization with its scaler.</summary>
internal static class JetStreamTensors
{
    // quantize.py's EPS: the smallest max |w| a channel's scale is computed from.
    private const float MinMax = 1e-5f;

    /// <summary>Hugging Face stores each head's query/key rows as two halves; Meta's layout, which JetStream-PyTorch's
    /// rotary embedding reads, interleaves them: rows reshaped to (heads, 2, headDim/2) and the last two axes swapped.
    /// (The upstream script hard-codes headDim/2 = 64, the value for every Llama it converts.)</summary>
    public static Tensor InterleaveRotaryRows(Tensor weight, int headDim)
    {
        var rows = weight.shape[0];
        var columns = weight.shape[1];
        using var grouped = weight.reshape(-1, 2, headDim / 2, columns);
        using var swapped = grouped.transpose(1, 2);
        return swapped.reshape(rows, columns).contiguous();
    }

    /// <summary>Per-channel symmetric int8 over <paramref name="reduceAxis"/> (-1 for linear weights: one scale per
    /// output row; 0 for the embedding: one per embedding column), computed in the weight's dtype as upstream does;
    /// the scaler is bfloat16.</summary>
    public static (Tensor Q, Tensor Scaler) Quantize(Tensor weight, long reduceAxis)
    {
        using var scope = NewDisposeScope();
        var max = weight.abs().amax([reduceAxis], keepdim: true).clamp_min(MinMax);
        var scales = max.div(127);
        var q = weight.mul(scales.reciprocal()).round().clamp(-128, 127).to(int8);
        var scaler = scales.squeeze().to(bfloat16);
        return (q.MoveToOuterDisposeScope(), scaler.MoveToOuterDisposeScope());
    }
}
