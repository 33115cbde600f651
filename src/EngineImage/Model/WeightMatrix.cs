using EngineImage.Kernels;
using TorchSharp;
using static TorchSharp.torch;

namespace EngineImage.Model;

/// <summary>
/// A [out, in] weight used as a linear layer (and, for the embedding, looked up by row), held either dense in the
/// compute dtype or as int8 with one scale per output row (in the compute dtype). The int8 product runs in
/// <see cref="Int8MatMul"/>; embedding rows are widened and scaled only for the looked-up ids.
/// </summary>
internal sealed class WeightMatrix : IDisposable
{
    private readonly Tensor? _dense;
    private readonly Tensor? _q;
    private readonly Tensor? _scale;
    private readonly ScalarType _dtype;

    // For the hand-written kernels: the weight's address (alive as long as _dense or _q), the int8 row scales in f32,
    // and whether the int8 kernels may read this matrix (they need q in [-127, 127], see Int8MatVec).
    private readonly nint _address;
    private readonly Tensor? _scaleF32;
    private readonly bool _kernelsFit;

    private WeightMatrix(Tensor? dense, Tensor? q, Tensor? scale, ScalarType dtype)
    {
        _dense = dense;
        _q = q;
        _scale = scale;
        _dtype = dtype;
        var weight = (dense ?? q)!;
        if (!weight.is_contiguous() || weight.NumberOfElements == 0 || weight.shape[1] > int.MaxValue || weight.shape[0] > int.MaxValue) return;
        unsafe { _address = (nint)TensorPointer.Of(weight); }
        if (q is null)
        {
            _kernelsFit = dense!.dtype is ScalarType.BFloat16 or ScalarType.Float32;
            return;
        }
        _scaleF32 = scale!.to(float32).contiguous();
        using var min = q.min();
        _kernelsFit = Int8MatVec.Supports((int)q.shape[1]) && min.item<sbyte>() != sbyte.MinValue;
    }

    /// <summary>Takes ownership of <paramref name="weight"/> (a contiguous tensor, as read from a checkpoint).</summary>
    public static WeightMatrix Dense(Tensor weight, ScalarType dtype) => new(Convert(weight, dtype), null, null, dtype);

    /// <summary>Takes ownership of <paramref name="q"/> and <paramref name="scale"/>.</summary>
    public static WeightMatrix Int8(Tensor q, Tensor scale, ScalarType dtype) => new(null, q, Convert(scale, dtype), dtype);

    /// <summary>Converts an owned tensor, disposing the original when a new one was made.</summary>
    internal static Tensor Convert(Tensor owned, ScalarType dtype)
    {
        if (owned.dtype == dtype) return owned;
        var converted = owned.to(dtype);
        owned.Dispose();
        return converted;
    }

    public bool IsInt8 => _q is not null;

    /// <summary>The matrices stacked by rows, as one; takes ownership of (and disposes) the parts.</summary>
    public static WeightMatrix Stack(params WeightMatrix[] parts)
    {
        var first = parts[0];
        if (parts.Any(p => p.IsInt8 != first.IsInt8)) throw new ArgumentException("cannot stack int8 with dense weights");
        try
        {
            return first.IsInt8
                ? new WeightMatrix(null, cat(parts.Select(p => p._q!).ToArray(), 0), cat(parts.Select(p => p._scale!).ToArray(), 0), first._dtype)
                : new WeightMatrix(cat(parts.Select(p => p._dense!).ToArray(), 0), null, null, first._dtype);
        }
        finally
        {
            foreach (var p in parts) p.Dispose();
        }
    }

    public long Rows => (_dense ?? _q)!.shape[0];

    public long Columns => (_dense ?? _q)!.shape[1];

    public long Bytes => _dense is not null ? _dense.NumberOfElements * _dense.element_size()
        : _q!.NumberOfElements + _scale!.NumberOfElements * _scale.element_size();

    /// <summary><c>x @ W^T</c> for x [..., in] in the compute dtype, through libtorch.</summary>
    public Tensor Linear(Tensor x)
    {
        if (_dense is not null) return nn.functional.linear(x, _dense);
        return Int8MatMul.Apply(x, _q!, _scale!);
    }

    /// <summary><c>x @ W^T</c> through the hand-written kernels when x has at most <see cref="KernelSettings.MaxRows"/>
    /// rows, else through libtorch. The result is in x's dtype (a bf16 result rounded once from the f32 sums).</summary>
    public Tensor Linear(Tensor x, KernelSettings kernels)
    {
        var rows = x.NumberOfElements / Columns;
        if (kernels.Kind == KernelKind.Torch || rows > kernels.MaxRows || !_kernelsFit) return Linear(x);
        using var scope = NewDisposeScope();
        long[] outShape = [.. x.shape[..^1], Rows];
        var xf = x.reshape(rows, Columns).to(float32).contiguous();
        var y = empty(rows, Rows, float32);
        unsafe
        {
            var xp = (float*)TensorPointer.Of(xf);
            var yp = (float*)TensorPointer.Of(y);
            int n = (int)Rows, k = (int)Columns, b = (int)rows;
            if (_q is not null) Int8MatVec.Apply(kernels.Kind, (sbyte*)_address, (float*)TensorPointer.Of(_scaleF32!), n, k, xp, b, yp, kernels.Threads);
            else if (_dense!.dtype == ScalarType.BFloat16) DenseMatVec.Bf16(kernels.Kind, (ushort*)_address, n, k, xp, b, yp, kernels.Threads);
            else DenseMatVec.F32(kernels.Kind, (float*)_address, n, k, xp, b, yp, kernels.Threads);
        }
        return y.to(x.dtype).view(outShape).MoveToOuterDisposeScope();
    }

    /// <summary>Rows <paramref name="ids"/> of W (an embedding lookup), shape [..ids, in].</summary>
    public Tensor Lookup(Tensor ids)
    {
        using var scope = NewDisposeScope();
        var flat = ids.reshape(-1);
        long[] shape = [.. ids.shape, Columns];
        if (_dense is not null) return _dense.index_select(0, flat).view(shape).MoveToOuterDisposeScope();
        var rows = _q!.index_select(0, flat).to(_dtype).mul(_scale!.index_select(0, flat).unsqueeze(1));
        return rows.view(shape).MoveToOuterDisposeScope();
    }

    public void Dispose()
    {
        _dense?.Dispose();
        _q?.Dispose();
        _scale?.Dispose();
        _scaleF32?.Dispose();
    }
}
