using TorchSharp;
using static TorchSharp.torch;

namespace EngineImage.Model;

/// <summary>Grouped-query attention over cached keys and values without repeating the KV heads in memory.</summary>
internal static class Attention
{
    /// <summary>
    /// q [B, H, T, D]; k, v [B, kvH, L, D]; <paramref name="masked"/> [B, 1, T, L] true where a query must not look.
    /// Query head h reads KV head h / (H / kvH), as Hugging Face's <c>repeat_kv</c> arranges it. Softmax runs in float32.
    /// Returns [B, T, H * D].
    /// </summary>
    public static Tensor Compute(Tensor q, Tensor k, Tensor v, Tensor masked)
    {
        using var scope = NewDisposeScope();
        long b = q.shape[0], h = q.shape[1], t = q.shape[2], d = q.shape[3], kvh = k.shape[1], l = k.shape[2];
        var group = h / kvh;
        var qg = q.reshape(b, kvh, group * t, d);
        var scores = qg.matmul(k.transpose(2, 3)).mul(1.0 / Math.Sqrt(d)).view(b, kvh, group, t, l);
        scores = scores.masked_fill(masked.view(b, 1, 1, t, l), double.NegativeInfinity);
        var probs = scores.softmax(-1, ScalarType.Float32).to(q.dtype).view(b, kvh, group * t, l);
        var output = probs.matmul(v).view(b, h, t, d).transpose(1, 2).reshape(b, t, h * d);
        return output.MoveToOuterDisposeScope();
    }
}
