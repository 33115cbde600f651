using System.Text.Json;
using System.Text.Json.Serialization;

namespace EngineImage.Model;

/// <summary>
/// The shape of a Llama 3 or Gemma model. Stored as JSON in the engine checkpoint's safetensors metadata (key
/// <c>config</c>) by <c>convert</c>, so that <c>serve</c> needs only the checkpoint; the JetStream presets
/// (<c>llama-3</c>/<c>8b</c>, <c>gemma</c>/<c>7b</c>, <c>gemma</c>/<c>2b</c>) cover checkpoints without it.
/// </summary>
public sealed record ModelConfig
{
    public required string Family { get; init; }
    public string Size { get; init; } = "";
    public required int HiddenSize { get; init; }
    public required int Layers { get; init; }
    public required int Heads { get; init; }
    public required int KvHeads { get; init; }
    public required int HeadDim { get; init; }
    public required int IntermediateSize { get; init; }
    public required int VocabSize { get; init; }
    public required double NormEps { get; init; }
    public required double RopeTheta { get; init; }

    /// <summary>Llama 3.1/3.2's <c>rope_scaling</c>; null for plain RoPE.</summary>
    public Llama3RopeScaling? RopeScaling { get; init; }

    /// <summary><c>tie_word_embeddings</c>; null (checkpoints converted before it was recorded) means the family's
    /// default: Gemma ties, Llama does not.</summary>
    public bool? TieWordEmbeddings { get; init; }

    /// <summary>End-of-sequence ids from <c>generation_config.json</c> (or <c>config.json</c>); generation also stops at
    /// the tokenizer's own end tokens. Null when the checkpoint named none.</summary>
    public IReadOnlyList<int>? EosTokenIds { get; init; }

    [JsonIgnore] public bool IsGemma => Family == "gemma";

    /// <summary>Whether the output projection is the embedding (Gemma, Llama 3.2 1B/3B) or its own <c>output.weight</c>.</summary>
    [JsonIgnore] public bool TiedOutput => TieWordEmbeddings ?? IsGemma;

    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    public static ModelConfig FromJson(string json) =>
        JsonSerializer.Deserialize<ModelConfig>(json, Json) ?? throw new InvalidDataException("empty model config");

    public static ModelConfig? Preset(string family, string size) => (family, size) switch
    {
        ("llama-3", "8b") => new() { Family = family, Size = size, HiddenSize = 4096, Layers = 32, Heads = 32, KvHeads = 8, HeadDim = 128, IntermediateSize = 14336, VocabSize = 128256, NormEps = 1e-5, RopeTheta = 500000 },
        ("gemma", "7b") => new() { Family = family, Size = size, HiddenSize = 3072, Layers = 28, Heads = 16, KvHeads = 16, HeadDim = 256, IntermediateSize = 24576, VocabSize = 256000, NormEps = 1e-6, RopeTheta = 10000 },
        ("gemma", "2b") => new() { Family = family, Size = size, HiddenSize = 2048, Layers = 18, Heads = 8, KvHeads = 1, HeadDim = 256, IntermediateSize = 16384, VocabSize = 256000, NormEps = 1e-6, RopeTheta = 10000 },
        _ => null,
    };

    public long ParameterCount =>
        (long)VocabSize * HiddenSize * (TiedOutput ? 1 : 2) + HiddenSize
        + (long)Layers * (2L * HiddenSize
            + (long)HiddenSize * HeadDim * (2L * Heads + 2L * KvHeads)
            + 3L * HiddenSize * IntermediateSize);

    /// <summary>Checks the numbers fit together; throws with a one-line reason.</summary>
    public void Validate()
    {
        if (Family is not ("llama-3" or "gemma")) throw new InvalidDataException($"unknown model family '{Family}'");
        if (HiddenSize <= 0 || Layers <= 0 || Heads <= 0 || KvHeads <= 0 || HeadDim <= 0 || IntermediateSize <= 0 || VocabSize <= 0)
            throw new InvalidDataException("model config has a non-positive dimension");
        if (Heads % KvHeads != 0) throw new InvalidDataException($"{Heads} query heads do not divide into {KvHeads} KV heads");
        if (HeadDim % 2 != 0) throw new InvalidDataException($"head dim {HeadDim} is odd; RoPE needs pairs");
        RopeScaling?.Validate();
    }
}
