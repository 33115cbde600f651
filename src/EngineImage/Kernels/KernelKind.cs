using System.Runtime.Intrinsics.X86;

namespace EngineImage.Kernels;

/// <summary>
/// Which matrix-vector kernels run the small-batch (decode) products: the hand-written AVX-512 F/BW ones (.NET 10
/// exposes no 512-bit VNNI or BF16 dot product, so int8 uses <c>vpmaddubsw</c>/<c>vpmaddwd</c>), the AVX2+FMA ones, the portable Vector128/scalar ones, or libtorch for everything. A user setting
/// (<c>--kernels</c>); the narrower ones exist for CPUs without AVX-512 and are forced in tests to check each path.
/// </summary>
public enum KernelKind
{
    Torch,
    Portable,
    Avx2,
    Avx512,
}

/// <summary>Parsing and start-up detection of <see cref="KernelKind"/>.</summary>
public static class KernelKinds
{
    public static bool IsSupported(KernelKind kind) => kind switch
    {
        KernelKind.Torch or KernelKind.Portable => true,
        KernelKind.Avx2 => Avx2.IsSupported && Fma.IsSupported,
        KernelKind.Avx512 => Avx512F.IsSupported && Avx512BW.IsSupported && Avx2.IsSupported && Fma.IsSupported,
        _ => false,
    };

    /// <summary>The widest kernels this CPU runs.</summary>
    public static KernelKind Best { get; } =
        IsSupported(KernelKind.Avx512) ? KernelKind.Avx512 : IsSupported(KernelKind.Avx2) ? KernelKind.Avx2 : KernelKind.Portable;

    /// <summary><c>auto|avx512|avx2|portable|torch</c>; a kind this CPU lacks is refused by name.</summary>
    public static KernelKind Parse(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var kind = value.ToLowerInvariant() switch
        {
            "auto" => Best,
            "avx512" => KernelKind.Avx512,
            "avx2" => KernelKind.Avx2,
            "portable" => KernelKind.Portable,
            "torch" => KernelKind.Torch,
            _ => throw new ArgumentException($"--kernels must be auto, avx512, avx2, portable or torch, got '{value}'"),
        };
        if (!IsSupported(kind)) throw new ArgumentException($"--kernels {value}: this CPU does not support it (best: {Best.ToString().ToLowerInvariant()})");
        return kind;
    }
}
