namespace EngineImage.Inference;

/// <summary>What was loaded: family (<c>llama-3</c>/<c>gemma</c>), size, compute dtype and quantization, and the bytes
/// the weights and the KV cache take in memory (for <c>/metrics</c> and the benchmark).</summary>
public sealed record ModelDescription(
    string Family,
    string Size,
    string ComputeDType,
    bool Int8Weights,
    bool Int8KvCache,
    long ParameterCount,
    long WeightBytes,
    long KvCacheBytes,
    int VocabSize);
