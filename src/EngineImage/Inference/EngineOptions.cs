namespace EngineImage.Inference;

/// <summary>The JetStream server flags that decide what is loaded and how (names as JetStream spells them).</summary>
public sealed record EngineOptions
{
    public required string ModelName { get; init; }
    public string Size { get; init; } = "";
    public required string CheckpointPath { get; init; }
    public required string TokenizerPath { get; init; }
    public int BatchSize { get; init; } = 32;
    public int MaxCacheLength { get; init; } = 2048;
    public bool QuantizeWeights { get; init; }
    public bool QuantizeKvCache { get; init; }
    public bool Bf16Enable { get; init; } = true;
}
