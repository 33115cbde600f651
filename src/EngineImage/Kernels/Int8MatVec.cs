using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace EngineImage.Kernels;

/// <summary>
/// <c>y[b, r] = scale[r] · Σ_blocks s_block · Σ_i q[r, i] · qx[b, i]</c>: int8 weights with one scale per row times
/// activations quantized per block of 32 (<see cref="QuantizedActivation"/>), the integer block sums exact in int32
/// as in llama.cpp's Q8_0 dot product. The SIMD paths multiply |qx| (unsigned) by q with qx's sign moved onto it
/// (<c>pmaddubsw</c> needs one unsigned operand), which is exact only for q in [-127, 127]: callers must not pass a
/// weight holding -128 (the engine's quantizer never makes one; WeightMatrix checks each matrix at load).
/// </summary>
internal static unsafe class Int8MatVec
{
    public static bool Supports(int k) => k % QuantizedActivation.Block == 0;

    public static void Apply(KernelKind kind, sbyte* q, float* rowScale, int n, int k, float* x, int batch, float* y, int threads)
    {
        var activations = new QuantizedActivation[batch];
        for (var b = 0; b < batch; b++)
        {
            activations[b] = new QuantizedActivation(k);
            activations[b].Quantize(x + (long)b * k);
        }
        nint qp = (nint)q, sp = (nint)rowScale, yp = (nint)y;
        RowParallel.For(n, threads, (start, end) =>
        {
            for (var b = 0; b < batch; b++)
            {
                var a = activations[b];
                fixed (sbyte* values = a.Values)
                fixed (byte* magnitudes = a.Magnitudes)
                fixed (float* scales = a.Scales)
                fixed (float* laneScales = a.LaneScales)
                {
                    var act = new Operand(values, magnitudes, scales, laneScales);
                    for (var r = start; r < end; r++)
                    {
                        var row = (sbyte*)qp + (long)r * k;
                        ((float*)yp)[(long)b * n + r] = ((float*)sp)[r] * Dot(kind, row, act, k);
                    }
                }
            }
        });
    }

    private readonly struct Operand(sbyte* values, byte* magnitudes, float* scales, float* laneScales)
    {
        public readonly sbyte* Values = values;
        public readonly byte* Magnitudes = magnitudes;
        public readonly float* Scales = scales;
        public readonly float* LaneScales = laneScales;
    }

    private static float Dot(KernelKind kind, sbyte* w, Operand a, int k) => kind switch
    {
        KernelKind.Avx512 => DotAvx512(w, a, k),
        KernelKind.Avx2 => DotAvx2(w, a, 0, k),
        _ => DotPortable(w, a, 0, k),
    };

    private static float DotAvx512(sbyte* w, Operand a, int k)
    {
        var ones = Vector512.Create((short)1);
        Vector512<float> a0 = default, a1 = default;
        var i = 0;
        for (; i + 128 <= k; i += 128)
        {
            a0 = Chunk512(w + i, a, i, ones, a0);
            a1 = Chunk512(w + i + 64, a, i + 64, ones, a1);
        }
        for (; i + 64 <= k; i += 64) a0 = Chunk512(w + i, a, i, ones, a0);
        return Vector512.Sum(a0 + a1) + DotAvx2(w, a, i, k);
    }

    private static Vector512<float> Chunk512(sbyte* w, Operand a, int i, Vector512<short> ones, Vector512<float> acc)
    {
        var values = Vector512.Load(a.Values + i);
        var weights = Vector512.Load(w);
        var signed = Vector512.ConditionalSelect(Vector512.LessThan(values, Vector512<sbyte>.Zero), -weights, weights);
        var pairs = Avx512BW.MultiplyAddAdjacent(Vector512.Load(a.Magnitudes + i), signed);
        var sums = Avx512BW.MultiplyAddAdjacent(pairs, ones);
        return Avx512F.FusedMultiplyAdd(Avx512F.ConvertToVector512Single(sums), Vector512.Load(a.LaneScales + i / 64 * 16), acc);
    }

    /// <summary>Values [from, k) in blocks of 32, one 256-bit chunk per block.</summary>
    private static float DotAvx2(sbyte* w, Operand a, int from, int k)
    {
        var ones = Vector256.Create((short)1);
        var acc = Vector256<float>.Zero;
        for (var i = from; i < k; i += QuantizedActivation.Block)
        {
            var signed = Avx2.Sign(Vector256.Load(w + i), Vector256.Load(a.Values + i));
            var pairs = Avx2.MultiplyAddAdjacent(Vector256.Load(a.Magnitudes + i), signed);
            var sums = Avx2.MultiplyAddAdjacent(pairs, ones);
            acc = Fma.MultiplyAdd(Avx.ConvertToVector256Single(sums), Vector256.Create(a.Scales[i / QuantizedActivation.Block]), acc);
        }
        return Vector256.Sum(acc);
    }

    private static float DotPortable(sbyte* w, Operand a, int from, int k)
    {
        var sum = 0f;
        for (var i = from; i < k; i += QuantizedActivation.Block)
        {
            var block = 0;
            for (var j = i; j < i + QuantizedActivation.Block; j++) block += w[j] * a.Values[j];
            sum += block * a.Scales[i / QuantizedActivation.Block];
        }
        return sum;
    }
}
