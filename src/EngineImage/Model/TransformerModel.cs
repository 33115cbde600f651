using EngineImage.Inference;
using EngineImage.Kernels;
using TorchSharp;
using static TorchSharp.torch;

namespace EngineImage.Model;

/// <summary>
/// Llama 3 / Gemma decoder for inference: RMSNorm (Gemma: <c>1 + weight</c>), embeddings scaled by sqrt(hidden) for
/// Gemma, RoPE (rotate-half, see <see cref="RotaryEmbedding"/>), grouped-query attention over a preallocated
/// per-slot KV cache, SwiGLU (Llama) or tanh-GELU gating (Gemma), output tied to the embedding for Gemma.
/// Every call runs under inference mode with its intermediates disposed. Not thread safe: one call at a time.
/// </summary>
internal sealed class TransformerModel : IInferenceModel
{
    private readonly ModelConfig _config;
    private readonly WeightMatrix _embedding;
    private readonly WeightMatrix _output;
    private readonly LayerWeights[] _layers;
    private readonly Tensor _finalNorm;
    private readonly RotaryEmbedding _rope;
    private readonly KvCache _cache;
    private readonly ScalarType _dtype;

    public TransformerModel(ModelConfig config, WeightMatrix embedding, WeightMatrix? output, LayerWeights[] layers,
        Tensor finalNorm, ScalarType dtype, int slots, int maxCacheLength, bool int8Kv)
    {
        _config = config;
        _embedding = embedding;
        _output = output ?? embedding;
        _layers = layers;
        _finalNorm = finalNorm;
        _dtype = dtype;
        Slots = slots;
        MaxCacheLength = maxCacheLength;
        _rope = new RotaryEmbedding(config.HeadDim, maxCacheLength, config.RopeTheta, dtype, config.RopeScaling);
        _cache = new KvCache(config.Layers, slots, config.KvHeads, maxCacheLength, config.HeadDim, dtype, int8Kv);
        var weightBytes = embedding.Bytes + (output?.Bytes ?? 0) + layers.Sum(l => l.Bytes) + finalNorm.NumberOfElements * 4;
        Description = new ModelDescription(config.Family, config.Size, dtype == bfloat16 ? "bfloat16" : "float32",
            embedding.IsInt8, int8Kv, config.ParameterCount, weightBytes, _cache.Bytes, config.VocabSize);
    }

    public ModelDescription Description { get; }

    public int Slots { get; }

    public int MaxCacheLength { get; }

    internal ModelConfig Config => _config;

    /// <summary>Weight bytes one batch-1 decode step reads: all of them, except that an untied embedding table is
    /// only looked up (one row).</summary>
    internal long StepBytes => Description.WeightBytes
        - (ReferenceEquals(_output, _embedding) ? 0 : _embedding.Bytes - _embedding.Bytes / _embedding.Rows);

    /// <summary>Which kernels run the small-batch products. libtorch unless set: on the quieter of two bench runs the
    /// hand-written kernels beat it only for f32 weights (see README, issue 14), so they are opt-in for now.</summary>
    public KernelSettings Kernels { get; set; } = KernelSettings.Torch;

    public int Prefill(int slot, ReadOnlySpan<int> tokens, SamplingParams sampling)
    {
        using var mode = inference_mode();
        using var scope = NewDisposeScope();
        var logits = PrefillLogits(slot, tokens, lastOnly: true);
        return Sampler.Sample(logits, [sampling], [tokens.Length])[0];
    }

    public int[] Decode(ReadOnlySpan<int> slots, ReadOnlySpan<int> tokens, ReadOnlySpan<int> positions, IReadOnlyList<SamplingParams> sampling)
    {
        ArgumentNullException.ThrowIfNull(sampling);
        using var mode = inference_mode();
        using var scope = NewDisposeScope();
        var logits = DecodeLogits(slots, tokens, positions);
        var next = new int[positions.Length];
        for (var i = 0; i < next.Length; i++) next[i] = positions[i] + 1;
        using var timed = OpProfile.Time("sampling");
        return Sampler.Sample(logits, sampling, next);
    }

    /// <summary>Float32 logits [T, vocab] (or [1, vocab] for the last position) after writing the slot's cache.</summary>
    internal Tensor PrefillLogits(int slot, ReadOnlySpan<int> tokens, bool lastOnly)
    {
        if ((uint)slot >= (uint)Slots) throw new ArgumentOutOfRangeException(nameof(slot), $"slot {slot} is not in [0, {Slots})");
        if (tokens.Length == 0 || tokens.Length > MaxCacheLength)
            throw new ArgumentException($"prompt of {tokens.Length} tokens does not fit a cache of {MaxCacheLength}", nameof(tokens));
        using var mode = inference_mode();
        using var scope = NewDisposeScope();
        long t = tokens.Length;
        var ids = tensor(tokens.ToArray().Select(i => (long)i).ToArray(), int64).unsqueeze(0);
        var positions = arange(0L, t, dtype: int64).unsqueeze(0);
        var slotIndex = tensor(new long[] { slot }, int64);
        var masked = ones(t, t, dtype: @bool).triu(1).view(1, 1, t, t);
        var x = Embed(ids);
        var rope = _rope.At(positions);
        for (var l = 0; l < _layers.Length; l++)
        {
            var layer = l;
            x = Layer(_layers[l], x, rope, (k, v) =>
            {
                _cache.WriteRange(layer, slot, k, v);
                return _cache.Read(layer, slotIndex, t);
            }, masked);
        }
        if (lastOnly) x = x.narrow(1, t - 1, 1);
        return Logits(x).squeeze(0).MoveToOuterDisposeScope();
    }

    /// <summary>Float32 logits [B, vocab] for one decode step of each row.</summary>
    internal Tensor DecodeLogits(ReadOnlySpan<int> slots, ReadOnlySpan<int> tokens, ReadOnlySpan<int> positions)
    {
        var b = slots.Length;
        if (tokens.Length != b || positions.Length != b) throw new ArgumentException("slots, tokens and positions differ in length");
        var maxPosition = 0;
        for (var i = 0; i < b; i++)
        {
            if ((uint)slots[i] >= (uint)Slots) throw new ArgumentOutOfRangeException(nameof(slots), $"slot {slots[i]} is not in [0, {Slots})");
            if ((uint)positions[i] >= (uint)MaxCacheLength)
                throw new ArgumentOutOfRangeException(nameof(positions), $"position {positions[i]} is past the cache of {MaxCacheLength}");
            maxPosition = Math.Max(maxPosition, positions[i]);
        }
        using var mode = inference_mode();
        using var scope = NewDisposeScope();
        long length = maxPosition + 1;
        var slotIndex = tensor(ToLong(slots), int64);
        var positionIndex = tensor(ToLong(positions), int64);
        var ids = tensor(ToLong(tokens), int64).unsqueeze(1);
        var masked = arange(0L, length, dtype: int64).unsqueeze(0).gt(positionIndex.unsqueeze(1)).view(b, 1, 1, length);
        var x = Embed(ids);
        var rope = _rope.At(positionIndex.unsqueeze(1));
        for (var l = 0; l < _layers.Length; l++)
        {
            var layer = l;
            x = Layer(_layers[l], x, rope, (k, v) =>
            {
                _cache.WriteRows(layer, slotIndex, positionIndex, k, v);
                return _cache.Read(layer, slotIndex, length);
            }, masked);
        }
        return Logits(x).squeeze(1).MoveToOuterDisposeScope();
    }

    private static long[] ToLong(ReadOnlySpan<int> values)
    {
        var result = new long[values.Length];
        for (var i = 0; i < values.Length; i++) result[i] = values[i];
        return result;
    }

    private Tensor Embed(Tensor ids)
    {
        using var timed = OpProfile.Time("embedding");
        var x = _embedding.Lookup(ids);
        // Gemma scales by sqrt(hidden) rounded to the compute dtype, as Hugging Face's GemmaModel does.
        return _config.IsGemma ? x.mul(tensor(Math.Sqrt(_config.HiddenSize), dtype: _dtype)) : x;
    }

    private Tensor Layer(LayerWeights w, Tensor x, (Tensor, Tensor) rope, Func<Tensor, Tensor, (Tensor K, Tensor V)> cache, Tensor masked)
    {
        long b = x.shape[0], t = x.shape[1];
        long qWidth = (long)_config.Heads * _config.HeadDim, kvWidth = (long)_config.KvHeads * _config.HeadDim;
        var normed = RmsNorm(x, w.AttentionNorm);
        Tensor qkv, q, k, v, attended, gateUp, activated, down;
        using (OpProfile.Time("matmul qkv")) qkv = w.Wqkv.Linear(normed, Kernels);
        using (OpProfile.Time("rope"))
        {
            q = RotaryEmbedding.Apply(qkv.narrow(2, 0, qWidth).view(b, t, _config.Heads, _config.HeadDim), rope).transpose(1, 2);
            k = RotaryEmbedding.Apply(qkv.narrow(2, qWidth, kvWidth).view(b, t, _config.KvHeads, _config.HeadDim), rope).transpose(1, 2);
            v = qkv.narrow(2, qWidth + kvWidth, kvWidth).reshape(b, t, _config.KvHeads, _config.HeadDim).transpose(1, 2);
        }
        (Tensor K, Tensor V) kv;
        using (OpProfile.Time("kv cache write+read")) kv = cache(k, v);
        using (OpProfile.Time("attention")) attended = Attention.Compute(q, kv.K, kv.V, masked);
        using (OpProfile.Time("matmul wo")) x = x.add(w.Wo.Linear(attended, Kernels));
        normed = RmsNorm(x, w.FfnNorm);
        using (OpProfile.Time("matmul w1+w3")) gateUp = w.W13.Linear(normed, Kernels);
        using (OpProfile.Time("swiglu"))
        {
            var gate = gateUp.narrow(2, 0, _config.IntermediateSize);
            activated = (_config.IsGemma ? nn.functional.gelu(gate, TorchSharp.Modules.GELU.Approximate.tanh) : nn.functional.silu(gate))
                .mul(gateUp.narrow(2, _config.IntermediateSize, _config.IntermediateSize));
        }
        using (OpProfile.Time("matmul w2")) down = w.W2.Linear(activated, Kernels);
        return x.add(down);
    }

    /// <summary>RMSNorm computed in float32; <paramref name="weight"/> already holds Gemma's <c>1 +</c>.</summary>
    private Tensor RmsNorm(Tensor x, Tensor weight)
    {
        using var timed = OpProfile.Time("rmsnorm");
        var f = x.to(float32);
        var normed = f.mul(f.pow(2).mean([-1], keepdim: true).add(_config.NormEps).rsqrt());
        return normed.mul(weight).to(_dtype);
    }

    private Tensor Logits(Tensor x)
    {
        var normed = RmsNorm(x, _finalNorm);
        using var timed = OpProfile.Time("matmul output (lm head)");
        return _output.Linear(normed, Kernels).to(float32);
    }

    public void Dispose()
    {
        _embedding.Dispose();
        if (!ReferenceEquals(_output, _embedding)) _output.Dispose();
        foreach (var l in _layers) l.Dispose();
        _finalNorm.Dispose();
        _rope.Dispose();
        _cache.Dispose();
    }
}
