using EngineImage.Inference;
using TorchSharp;
using static TorchSharp.torch;

namespace EngineImage.Model;

/// <summary>Chooses next tokens from float32 logits: argmax when greedy, else temperature, top-k and top-p sampling.</summary>
internal static class Sampler
{
    /// <summary><paramref name="logits"/> [B, vocab]; <paramref name="positions"/> vary a request's seed per step so that a
    /// seeded request is reproducible without drawing the same number every step.</summary>
    public static int[] Sample(Tensor logits, IReadOnlyList<SamplingParams> sampling, ReadOnlySpan<int> positions)
    {
        using var scope = NewDisposeScope();
        var result = new int[logits.shape[0]];
        if (sampling.All(s => s.IsGreedy))
        {
            var ids = logits.argmax(-1).to(int64).data<long>().ToArray();
            for (var i = 0; i < result.Length; i++) result[i] = (int)ids[i];
            return result;
        }
        for (var i = 0; i < result.Length; i++)
            result[i] = SampleRow(logits[i], sampling[i], positions[i]);
        return result;
    }

    private static int SampleRow(Tensor row, SamplingParams p, int position)
    {
        if (p.IsGreedy) return (int)row.argmax().item<long>();
        var scaled = row.div(p.Temperature);
        var (sorted, order) = scaled.sort(-1, descending: true);
        if (p.TopK > 0 && p.TopK < sorted.shape[0])
            sorted = sorted.narrow(0, 0, p.TopK);
        var probs = sorted.softmax(-1);
        if (p.TopP < 1f)
        {
            // Keep the smallest prefix whose mass reaches top_p (the first token always stays).
            var before = probs.cumsum(-1).sub(probs);
            probs = probs.masked_fill(before.ge(p.TopP), 0.0);
        }
        Generator? generator = null;
        if (p.Seed is { } seed) generator = new Generator(unchecked((ulong)seed * 1_000_003UL + (ulong)position));
        try
        {
            var pick = probs.multinomial(1, generator: generator).item<long>();
            return (int)order[pick].item<long>();
        }
        finally
        {
            generator?.Dispose();
        }
    }
}
