namespace EngineImage.Benchmarking;

/// <summary>One engine configuration the benchmark measures.</summary>
public sealed record BenchConfig(string Name, bool Bf16Enable, bool QuantizeWeights, bool QuantizeKvCache)
{
    public static readonly IReadOnlyList<BenchConfig> All =
    [
        new("bf16", true, false, false),
        new("f32", false, false, false),
        new("int8w", true, true, false),
        new("int8kv", true, false, true),
    ];
}
