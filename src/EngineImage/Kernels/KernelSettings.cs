namespace EngineImage.Kernels;

/// <summary>
/// How a model runs its matrix products: <see cref="Kind"/> for products with at most <see cref="MaxRows"/>
/// activation rows (decode steps and very short prompts), libtorch for the rest (prefill, large batches), on
/// <see cref="Threads"/> threads split over output rows.
/// </summary>
public sealed record KernelSettings(KernelKind Kind, int Threads, int MaxRows)
{
    /// <summary>Up to this many rows the hand-written kernels beat libtorch's GEMM on this project's models.</summary>
    public const int DefaultMaxRows = 4;

    public static KernelSettings Torch { get; } = new(KernelKind.Torch, 1, 0);

    public static KernelSettings For(KernelKind kind) =>
        new(kind, Math.Max(1, TorchSharp.torch.get_num_threads()), kind == KernelKind.Torch ? 0 : DefaultMaxRows);
}
