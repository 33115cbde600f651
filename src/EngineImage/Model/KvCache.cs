using TorchSharp;
using static TorchSharp.torch;

namespace EngineImage.Model;

/// <summary>
/// The preallocated KV cache: per layer, K and V of shape [slots, kvHeads, maxLength, headDim] in the compute dtype,
/// or int8 with one float32 scale per (slot, position) shared across heads and head dim
/// (<c>scale = max|k| / 127</c> floored at 1e-5). Reads dequantize to the compute dtype. Not thread safe.
/// </summary>
internal sealed class KvCache : IDisposable
{
    private readonly Tensor[] _k;
    private readonly Tensor[] _v;
    private readonly Tensor[]? _kScale;
    private readonly Tensor[]? _vScale;
    private readonly ScalarType _dtype;

    public KvCache(int layers, int slots, int kvHeads, int maxLength, int headDim, ScalarType dtype, bool quantized)
    {
        _dtype = dtype;
        var storage = quantized ? int8 : dtype;
        _k = Enumerable.Range(0, layers).Select(_ => zeros(slots, kvHeads, maxLength, headDim, dtype: storage)).ToArray();
        _v = Enumerable.Range(0, layers).Select(_ => zeros(slots, kvHeads, maxLength, headDim, dtype: storage)).ToArray();
        if (quantized)
        {
            _kScale = Enumerable.Range(0, layers).Select(_ => ones(slots, 1, maxLength, 1, dtype: float32)).ToArray();
            _vScale = Enumerable.Range(0, layers).Select(_ => ones(slots, 1, maxLength, 1, dtype: float32)).ToArray();
        }
    }

    public bool IsInt8 => _kScale is not null;

    public long Bytes => _k.Concat(_v).Concat(_kScale ?? []).Concat(_vScale ?? [])
        .Sum(t => t.NumberOfElements * t.element_size());

    /// <summary>Writes k, v [1, kvHeads, T, D] into positions [0, T) of <paramref name="slot"/>.</summary>
    public void WriteRange(int layer, int slot, Tensor k, Tensor v)
    {
        var length = k.shape[2];
        Write(_k[layer], _kScale?[layer], k, t => t.narrow(0, slot, 1).narrow(2, 0, length));
        Write(_v[layer], _vScale?[layer], v, t => t.narrow(0, slot, 1).narrow(2, 0, length));
    }

    /// <summary>Writes row i of k, v [B, kvHeads, 1, D] at (slots[i], positions[i]).</summary>
    public void WriteRows(int layer, Tensor slots, Tensor positions, Tensor k, Tensor v)
    {
        WriteScattered(_k[layer], _kScale?[layer], slots, positions, k);
        WriteScattered(_v[layer], _vScale?[layer], slots, positions, v);
    }

    /// <summary>K and V of positions [0, length) for each of <paramref name="slots"/>: [B, kvHeads, length, D].</summary>
    public (Tensor K, Tensor V) Read(int layer, Tensor slots, long length) =>
        (Gather(_k[layer], _kScale?[layer], slots, length), Gather(_v[layer], _vScale?[layer], slots, length));

    private void Write(Tensor cache, Tensor? scales, Tensor values, Func<Tensor, Tensor> select)
    {
        using var scope = NewDisposeScope();
        if (scales is null)
        {
            select(cache).copy_(values);
            return;
        }
        var (q, scale) = QuantizePerToken(values);
        select(cache).copy_(q);
        select(scales).copy_(scale);
    }

    private void WriteScattered(Tensor cache, Tensor? scales, Tensor slots, Tensor positions, Tensor values)
    {
        using var scope = NewDisposeScope();
        // values [B, kvHeads, 1, D] -> [B, kvHeads, D]: the shape cache[slots, :, positions] takes.
        var rows = values.squeeze(2);
        var index = new[] { TensorIndex.Tensor(slots), TensorIndex.Colon, TensorIndex.Tensor(positions) };
        if (scales is null)
        {
            cache.index_put_(rows.to(_dtype), index);
            return;
        }
        var (q, scale) = QuantizePerToken(values);
        cache.index_put_(q.squeeze(2), index);
        scales.index_put_(scale.squeeze(2), index);
    }

    private Tensor Gather(Tensor cache, Tensor? scales, Tensor slots, long length)
    {
        using var scope = NewDisposeScope();
        var picked = cache.narrow(2, 0, length).index_select(0, slots);
        if (scales is null) return picked.MoveToOuterDisposeScope();
        var scale = scales.narrow(2, 0, length).index_select(0, slots).to(_dtype);
        return picked.to(_dtype).mul(scale).MoveToOuterDisposeScope();
    }

    /// <summary>values [B, kvHeads, T, D] → int8 and scales [B, 1, T, 1], one scale per token.</summary>
    private static (Tensor Q, Tensor Scale) QuantizePerToken(Tensor values)
    {
        var f = values.to(float32);
        var scale = f.abs().amax([1, 3], keepdim: true).div(127f).clamp_min(Int8Quantizer.MinScale);
        var q = f.div(scale).round().clamp(-128, 127).to(int8);
        return (q, scale);
    }

    public void Dispose()
    {
        foreach (var t in _k.Concat(_v).Concat(_kScale ?? []).Concat(_vScale ?? [])) t.Dispose();
    }
}
