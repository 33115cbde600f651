using EngineImage.Kernels;
using EngineImage.Model;
using EngineImage.Tests.Fixtures;
using static TorchSharp.torch;

namespace EngineImage.Tests.Kernels;

/// <summary>Every hand-written kernel path against the plain TorchSharp product of the same weight.</summary>
public sealed class MatVecKernelTests
{
    public static TheoryData<string, int, int, int, int> Shapes()
    {
        var data = new TheoryData<string, int, int, int, int>();
        foreach (var kind in new[] { "avx512", "avx2", "portable" })
        {
            // Odd row counts, k with SIMD tails (70, 200) and without (640), single and multi-row batches, 1 and 2 threads.
            data.Add(kind, 37, 70, 1, 1);
            data.Add(kind, 300, 640, 3, 2);
            data.Add(kind, 129, 200, 4, 2);
            data.Add(kind, 1000, 1792, 1, 2);
        }
        return data;
    }

    public static TheoryData<string, int, int, int, int> Int8Shapes()
    {
        var data = new TheoryData<string, int, int, int, int>();
        foreach (var kind in new[] { "avx512", "avx2", "portable" })
        {
            // k = 96 and 224 leave a 32-value block after the 64-value AVX-512 chunks.
            data.Add(kind, 37, 96, 1, 1);
            data.Add(kind, 300, 640, 3, 2);
            data.Add(kind, 129, 224, 4, 2);
            data.Add(kind, 1000, 1792, 1, 2);
        }
        return data;
    }

    private static KernelSettings? Settings(string name, int threads)
    {
        var kind = name switch { "avx512" => KernelKind.Avx512, "avx2" => KernelKind.Avx2, _ => KernelKind.Portable };
        if (KernelKinds.IsSupported(kind)) return new KernelSettings(KernelKinds.Parse(name), threads, 16);
        // On a CPU without the extension the user setting must refuse it by name.
        var refused = Assert.Throws<ArgumentException>(() => KernelKinds.Parse(name));
        Assert.Contains(name, refused.Message, StringComparison.Ordinal);
        return null;
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Bf16_Kernel_MatchesF32ProductWithinBf16Rounding(string kind, int n, int k, int batch, int threads)
    {
        if (Settings(kind, threads) is not { } settings) return;
        using var scope = NewDisposeScope();
        manual_seed(n + k);
        var w = randn(n, k).to(bfloat16);
        var x = randn(batch, 1, k).to(bfloat16);
        using var matrix = WeightMatrix.Dense(w.clone(), bfloat16);
        var actual = matrix.Linear(x, settings);
        Assert.Equal(ScalarType.BFloat16, actual.dtype);
        var exact = nn.functional.linear(x.to(float32), w.to(float32));
        // One bf16 rounding of each output (relative 2^-9) against the f32 sums; libtorch's bf16 result is as far.
        TensorAssert.Close(actual, exact, 4e-3);
        TensorAssert.Close(actual, matrix.Linear(x), 8e-3);
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void F32_Kernel_MatchesTorch(string kind, int n, int k, int batch, int threads)
    {
        if (Settings(kind, threads) is not { } settings) return;
        using var scope = NewDisposeScope();
        manual_seed(n * k);
        var w = randn(n, k);
        var x = randn(batch, 1, k);
        using var matrix = WeightMatrix.Dense(w.clone(), float32);
        // Only the order of the f32 additions differs.
        TensorAssert.Close(matrix.Linear(x, settings), matrix.Linear(x), 1e-5);
    }

    [Theory]
    [MemberData(nameof(Int8Shapes))]
    public void Int8_Kernel_MatchesTorchAndTheQ8Reference(string kind, int n, int k, int batch, int threads)
    {
        if (Settings(kind, threads) is not { } settings) return;
        using var scope = NewDisposeScope();
        manual_seed(n + 7 * k);
        var (q, scale) = Int8Quantizer.Quantize(randn(n, k));
        var x = randn(batch, 1, k);
        using var matrix = WeightMatrix.Int8(q.clone(), scale.clone(), float32);
        var actual = matrix.Linear(x, settings);
        // Exactly what the kernels compute: x quantized per block of 32 (Q8_0), integer block sums, two scales.
        var blocks = x.view(batch, k / 32, 32);
        var blockScale = blocks.abs().amax([-1], keepdim: true).div(127f);
        var qx = blocks.div(blockScale.clamp_min(1e-30f)).round().clamp(-127, 127);
        var sums = einsum("bjc,njc->bnj", qx.to(float64), q.to(float64).view(n, k / 32, 32));
        var reference = sums.mul(blockScale.to(float64).view(batch, 1, k / 32)).sum([-1]).mul(scale.to(float64)).view(batch, 1, n);
        TensorAssert.Close(actual, reference, 1e-5);
        // Against libtorch's int8 product of the unquantized x: only the activation's rounding differs.
        var torchResult = matrix.Linear(x);
        Assert.True(TensorAssert.MinRowCosine(actual.view(batch, n), torchResult.view(batch, n)) >= 0.9995);
        Assert.True(TensorAssert.RelativeError(actual, torchResult) > 0, "the kernel did not run (identical to libtorch)");
    }

    [Fact]
    public void Int8_WeightHoldingMinus128_FallsBackToTorch()
    {
        using var scope = NewDisposeScope();
        var q = randint(-127, 128, [64, 64], dtype: int8);
        q[3, 5] = tensor((sbyte)-128);
        var scale = rand(64).add(0.01f);
        var x = randn(1, 64);
        using var matrix = WeightMatrix.Int8(q.clone(), scale.clone(), float32);
        TensorAssert.Close(matrix.Linear(x, KernelSettings.For(KernelKinds.Best)), matrix.Linear(x), 0);
    }

    [Theory]
    [InlineData("fast")]
    [InlineData("AVX-512")]
    public void Parse_UnknownKind_RefusedByName(string value)
    {
        var refused = Assert.Throws<ArgumentException>(() => KernelKinds.Parse(value));
        Assert.Contains(value, refused.Message, StringComparison.Ordinal);
    }
}
