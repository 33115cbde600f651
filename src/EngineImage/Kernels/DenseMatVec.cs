using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace EngineImage.Kernels;

/// <summary>
/// <c>y[b, r] = Σ_k w[r, k] · x[b, k]</c> for a row-major bf16 or f32 weight [n, k] and f32 activations [batch, k],
/// accumulated in f32. A bf16 weight is widened in registers with no table or copy: a 32-bit lane holding two bf16
/// values gives the even one as <c>lane &lt;&lt; 16</c> and the odd one as <c>lane &amp; 0xFFFF0000</c>, so the
/// activation is permuted once per call (evens then odds in every chunk of 2·lanes) to match. Every kernel reads the
/// weight exactly once per batch row from memory order, which is what makes batch-1 decoding bandwidth-bound.
/// </summary>
internal static unsafe class DenseMatVec
{
    public static void Bf16(KernelKind kind, ushort* w, int n, int k, float* x, int batch, float* y, int threads)
    {
        var chunk = ChunkOf(kind);
        var xp = new float[batch * k];
        for (var b = 0; b < batch; b++) PermuteEvenOdd(new ReadOnlySpan<float>(x + (long)b * k, k), xp.AsSpan(b * k, k), chunk);
        fixed (float* pinned = xp)
        {
            nint wp = (nint)w, xpp = (nint)pinned, yp = (nint)y;
            RowParallel.For(n, threads, (start, end) =>
            {
                for (var r = start; r < end; r++)
                {
                    var row = (ushort*)wp + (long)r * k;
                    for (var b = 0; b < batch; b++)
                        ((float*)yp)[(long)b * n + r] = DotBf16(kind, row, (float*)xpp + (long)b * k, k);
                }
            });
        }
    }

    public static void F32(KernelKind kind, float* w, int n, int k, float* x, int batch, float* y, int threads)
    {
        nint wp = (nint)w, xp = (nint)x, yp = (nint)y;
        RowParallel.For(n, threads, (start, end) =>
        {
            for (var r = start; r < end; r++)
            {
                var row = (float*)wp + (long)r * k;
                for (var b = 0; b < batch; b++)
                    ((float*)yp)[(long)b * n + r] = DotF32(kind, row, (float*)xp + (long)b * k, k);
            }
        });
    }

    /// <summary>Elements per permuted chunk: two bf16 values per 32-bit lane.</summary>
    private static int ChunkOf(KernelKind kind) => kind switch
    {
        KernelKind.Avx512 => 32,
        KernelKind.Avx2 => 16,
        _ => 8,
    };

    /// <summary>Within each whole chunk, evens then odds; the tail (k mod chunk) stays in order.</summary>
    internal static void PermuteEvenOdd(ReadOnlySpan<float> x, Span<float> into, int chunk)
    {
        var half = chunk / 2;
        var whole = x.Length / chunk * chunk;
        for (var c = 0; c < whole; c += chunk)
        {
            for (var i = 0; i < half; i++)
            {
                into[c + i] = x[c + 2 * i];
                into[c + half + i] = x[c + 2 * i + 1];
            }
        }
        x[whole..].CopyTo(into[whole..]);
    }

    private static float DotBf16(KernelKind kind, ushort* w, float* xp, int k) => kind switch
    {
        KernelKind.Avx512 => DotBf16Avx512(w, xp, k),
        KernelKind.Avx2 => DotBf16Avx2(w, xp, k),
        _ => DotBf16Portable(w, xp, k),
    };

    private static float DotF32(KernelKind kind, float* w, float* x, int k) => kind switch
    {
        KernelKind.Avx512 => DotF32Avx512(w, x, k),
        KernelKind.Avx2 => DotF32Avx2(w, x, k),
        _ => DotF32Portable(w, x, k),
    };

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float Bf16ToF32(ushort v) => BitConverter.Int32BitsToSingle(v << 16);

    private static float DotBf16Avx512(ushort* w, float* xp, int k)
    {
        var high = Vector512.Create(0xFFFF0000u);
        Vector512<float> a0 = default, a1 = default, a2 = default, a3 = default;
        var i = 0;
        for (; i + 64 <= k; i += 64)
        {
            var w0 = Vector512.Load((uint*)(w + i));
            var w1 = Vector512.Load((uint*)(w + i + 32));
            a0 = Avx512F.FusedMultiplyAdd(Avx512F.ShiftLeftLogical(w0, 16).AsSingle(), Vector512.Load(xp + i), a0);
            a1 = Avx512F.FusedMultiplyAdd((w0 & high).AsSingle(), Vector512.Load(xp + i + 16), a1);
            a2 = Avx512F.FusedMultiplyAdd(Avx512F.ShiftLeftLogical(w1, 16).AsSingle(), Vector512.Load(xp + i + 32), a2);
            a3 = Avx512F.FusedMultiplyAdd((w1 & high).AsSingle(), Vector512.Load(xp + i + 48), a3);
        }
        for (; i + 32 <= k; i += 32)
        {
            var w0 = Vector512.Load((uint*)(w + i));
            a0 = Avx512F.FusedMultiplyAdd(Avx512F.ShiftLeftLogical(w0, 16).AsSingle(), Vector512.Load(xp + i), a0);
            a1 = Avx512F.FusedMultiplyAdd((w0 & high).AsSingle(), Vector512.Load(xp + i + 16), a1);
        }
        var sum = Vector512.Sum((a0 + a1) + (a2 + a3));
        for (; i < k; i++) sum += Bf16ToF32(w[i]) * xp[i];
        return sum;
    }

    private static float DotBf16Avx2(ushort* w, float* xp, int k)
    {
        var high = Vector256.Create(0xFFFF0000u);
        Vector256<float> a0 = default, a1 = default, a2 = default, a3 = default;
        var i = 0;
        for (; i + 32 <= k; i += 32)
        {
            var w0 = Vector256.Load((uint*)(w + i));
            var w1 = Vector256.Load((uint*)(w + i + 16));
            a0 = Fma.MultiplyAdd(Avx2.ShiftLeftLogical(w0, 16).AsSingle(), Vector256.Load(xp + i), a0);
            a1 = Fma.MultiplyAdd((w0 & high).AsSingle(), Vector256.Load(xp + i + 8), a1);
            a2 = Fma.MultiplyAdd(Avx2.ShiftLeftLogical(w1, 16).AsSingle(), Vector256.Load(xp + i + 16), a2);
            a3 = Fma.MultiplyAdd((w1 & high).AsSingle(), Vector256.Load(xp + i + 24), a3);
        }
        for (; i + 16 <= k; i += 16)
        {
            var w0 = Vector256.Load((uint*)(w + i));
            a0 = Fma.MultiplyAdd(Avx2.ShiftLeftLogical(w0, 16).AsSingle(), Vector256.Load(xp + i), a0);
            a1 = Fma.MultiplyAdd((w0 & high).AsSingle(), Vector256.Load(xp + i + 8), a1);
        }
        var sum = Vector256.Sum((a0 + a1) + (a2 + a3));
        for (; i < k; i++) sum += Bf16ToF32(w[i]) * xp[i];
        return sum;
    }

    private static float DotBf16Portable(ushort* w, float* xp, int k)
    {
        var high = Vector128.Create(0xFFFF0000u);
        Vector128<float> a0 = default, a1 = default;
        var i = 0;
        for (; i + 8 <= k; i += 8)
        {
            var w0 = Vector128.Load((uint*)(w + i));
            a0 += Vector128.ShiftLeft(w0, 16).AsSingle() * Vector128.Load(xp + i);
            a1 += (w0 & high).AsSingle() * Vector128.Load(xp + i + 4);
        }
        var sum = Vector128.Sum(a0 + a1);
        for (; i < k; i++) sum += Bf16ToF32(w[i]) * xp[i];
        return sum;
    }

    private static float DotF32Avx512(float* w, float* x, int k)
    {
        Vector512<float> a0 = default, a1 = default, a2 = default, a3 = default;
        var i = 0;
        for (; i + 64 <= k; i += 64)
        {
            a0 = Avx512F.FusedMultiplyAdd(Vector512.Load(w + i), Vector512.Load(x + i), a0);
            a1 = Avx512F.FusedMultiplyAdd(Vector512.Load(w + i + 16), Vector512.Load(x + i + 16), a1);
            a2 = Avx512F.FusedMultiplyAdd(Vector512.Load(w + i + 32), Vector512.Load(x + i + 32), a2);
            a3 = Avx512F.FusedMultiplyAdd(Vector512.Load(w + i + 48), Vector512.Load(x + i + 48), a3);
        }
        for (; i + 16 <= k; i += 16) a0 = Avx512F.FusedMultiplyAdd(Vector512.Load(w + i), Vector512.Load(x + i), a0);
        var sum = Vector512.Sum((a0 + a1) + (a2 + a3));
        for (; i < k; i++) sum += w[i] * x[i];
        return sum;
    }

    private static float DotF32Avx2(float* w, float* x, int k)
    {
        Vector256<float> a0 = default, a1 = default, a2 = default, a3 = default;
        var i = 0;
        for (; i + 32 <= k; i += 32)
        {
            a0 = Fma.MultiplyAdd(Vector256.Load(w + i), Vector256.Load(x + i), a0);
            a1 = Fma.MultiplyAdd(Vector256.Load(w + i + 8), Vector256.Load(x + i + 8), a1);
            a2 = Fma.MultiplyAdd(Vector256.Load(w + i + 16), Vector256.Load(x + i + 16), a2);
            a3 = Fma.MultiplyAdd(Vector256.Load(w + i + 24), Vector256.Load(x + i + 24), a3);
        }
        for (; i + 8 <= k; i += 8) a0 = Fma.MultiplyAdd(Vector256.Load(w + i), Vector256.Load(x + i), a0);
        var sum = Vector256.Sum((a0 + a1) + (a2 + a3));
        for (; i < k; i++) sum += w[i] * x[i];
        return sum;
    }

    private static float DotF32Portable(float* w, float* x, int k)
    {
        Vector128<float> a0 = default, a1 = default;
        var i = 0;
        for (; i + 8 <= k; i += 8)
        {
            a0 += Vector128.Load(w + i) * Vector128.Load(x + i);
            a1 += Vector128.Load(w + i + 4) * Vector128.Load(x + i + 4);
        }
        var sum = Vector128.Sum(a0 + a1);
        for (; i < k; i++) sum += w[i] * x[i];
        return sum;
    }
}
