using TorchSharp;
using static TorchSharp.torch;

namespace EngineImage.Model;

/// <summary>
/// <c>x @ (q * scale)^T</c> for an int8 weight q [N, K] with per-row scales, through libtorch's CPU weight-only int8
/// kernel <c>aten::_weight_int8pack_mm</c> (reached through TorchScript, as TorchSharp does not bind it). The kernel
/// reads the int8 bytes directly, so at batch 1 it moves half the bytes of a bf16 linear instead of first widening the
/// whole weight to bf16 (which alone costs more than the bf16 linear it feeds).
/// </summary>
internal static class Int8MatMul
{
    // TorchScript needs the closing newline.
    private static readonly Lazy<jit.CompilationUnit> Unit = new(() => jit.compile(
        "def mm(x: Tensor, q: Tensor, scale: Tensor) -> Tensor:\n    return torch._weight_int8pack_mm(x, q, scale)\n"));

    /// <summary><paramref name="x"/> [..., K] in bf16 or f32; <paramref name="q"/> [N, K] int8, contiguous;
    /// <paramref name="scale"/> [N] in x's dtype. Returns [..., N].</summary>
    public static Tensor Apply(Tensor x, Tensor q, Tensor scale)
    {
        using var scope = NewDisposeScope();
        long[] outShape = [.. x.shape[..^1], q.shape[0]];
        var flat = x.reshape(-1, x.shape[^1]).contiguous();
        var y = Unit.Value.invoke<Tensor>("mm", flat, q, scale);
        return y.view(outShape).MoveToOuterDisposeScope();
    }
}
