using System.Text.Json;
using System.Text.Json.Nodes;
using EngineImage.Model;

namespace EngineImage.Checkpoints;

/// <summary>Reads and writes Hugging Face <c>config.json</c> for <c>LlamaForCausalLM</c> and <c>GemmaForCausalLM</c>.</summary>
public static class HfConfig
{
    public const string LlamaArchitecture = "LlamaForCausalLM";
    public const string GemmaArchitecture = "GemmaForCausalLM";

    /// <summary>Name of a non-standard field make-test-model adds so that converted test models keep their size name.</summary>
    public const string SizeField = "engine_size";

    /// <summary>Parses config.json; throws <see cref="InvalidDataException"/> with a one-line reason (unknown architecture,
    /// missing field).</summary>
    public static ModelConfig Read(string path)
    {
        JsonNode root;
        try
        {
            root = JsonNode.Parse(File.ReadAllText(path)) ?? throw new InvalidDataException($"{path} is empty");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path} is not JSON ({e.Message})", e);
        }
        ModelConfig config;
        try
        {
            config = Parse(root, path);
            config.Validate();
        }
        catch (Exception e) when (e is InvalidOperationException or FormatException)
        {
            // GetValue on a field of the wrong JSON kind (a string where a number belongs).
            throw new InvalidDataException($"{path}: a field has the wrong type ({e.Message})", e);
        }
        var size = root[SizeField]?.GetValue<string>() ?? PresetSize(config) ?? $"{Math.Round(config.ParameterCount / 1e6)}m";
        return config with { Size = size };
    }

    private static ModelConfig Parse(JsonNode root, string path)
    {
        var architecture = root["architectures"]?.AsArray().FirstOrDefault()?.GetValue<string>() ?? "(none)";
        var family = HfSupport.Family(architecture, root["model_type"]?.GetValue<string>());
        HfSupport.RefuseUnsupported(root, family);
        int Int(string name) => root[name]?.GetValue<int>() ?? throw new InvalidDataException($"{path} lacks {name}");
        double Double(string name, double fallback) => root[name]?.GetValue<double>() ?? fallback;
        var heads = Int("num_attention_heads");
        var hidden = Int("hidden_size");
        return new ModelConfig
        {
            Family = family,
            HiddenSize = hidden,
            Layers = Int("num_hidden_layers"),
            Heads = heads,
            KvHeads = root["num_key_value_heads"]?.GetValue<int>() ?? heads,
            HeadDim = root["head_dim"]?.GetValue<int>() ?? hidden / heads,
            IntermediateSize = Int("intermediate_size"),
            VocabSize = Int("vocab_size"),
            NormEps = Double("rms_norm_eps", family == "gemma" ? 1e-6 : 1e-5),
            RopeTheta = Double("rope_theta", family == "gemma" ? 10000 : 500000),
            RopeScaling = HfSupport.RopeScaling(root, family, path),
            // transformers' defaults: GemmaConfig ties, LlamaConfig does not.
            TieWordEmbeddings = root["tie_word_embeddings"]?.GetValue<bool>() ?? family == "gemma",
            EosTokenIds = HfSupport.EosTokenIds(root, path),
        };
    }

    private static string? PresetSize(ModelConfig config) =>
        new[] { "8b", "7b", "2b" }.FirstOrDefault(s => ModelConfig.Preset(config.Family, s) is { } p && Shape(p) == Shape(config));

    private static ModelConfig Shape(ModelConfig c) => c with { Size = "", EosTokenIds = null, RopeScaling = null, TieWordEmbeddings = c.TiedOutput };

    public static void Write(string path, ModelConfig config, int bosId, int[] eosIds, int? padId)
    {
        ArgumentNullException.ThrowIfNull(config);
        var gemma = config.IsGemma;
        var root = new JsonObject
        {
            ["architectures"] = new JsonArray(gemma ? GemmaArchitecture : LlamaArchitecture),
            ["model_type"] = gemma ? "gemma" : "llama",
            ["hidden_size"] = config.HiddenSize,
            ["intermediate_size"] = config.IntermediateSize,
            ["num_attention_heads"] = config.Heads,
            ["num_hidden_layers"] = config.Layers,
            ["num_key_value_heads"] = config.KvHeads,
            ["head_dim"] = config.HeadDim,
            ["rms_norm_eps"] = config.NormEps,
            ["rope_theta"] = config.RopeTheta,
            ["vocab_size"] = config.VocabSize,
            ["max_position_embeddings"] = 8192,
            ["hidden_act"] = gemma ? "gelu_pytorch_tanh" : "silu",
            ["tie_word_embeddings"] = config.TiedOutput,
            ["torch_dtype"] = "bfloat16",
            ["bos_token_id"] = bosId,
            ["eos_token_id"] = eosIds.Length == 1 ? eosIds[0] : new JsonArray(eosIds.Select(e => (JsonNode)e).ToArray()),
            [SizeField] = config.Size,
        };
        if (gemma) root["hidden_activation"] = "gelu_pytorch_tanh";
        if (config.RopeScaling is { } scaling)
        {
            root["rope_scaling"] = new JsonObject
            {
                ["rope_type"] = "llama3",
                ["factor"] = scaling.Factor,
                ["low_freq_factor"] = scaling.LowFreqFactor,
                ["high_freq_factor"] = scaling.HighFreqFactor,
                ["original_max_position_embeddings"] = scaling.OriginalMaxPositionEmbeddings,
            };
        }
        if (padId is { } pad) root["pad_token_id"] = pad;
        File.WriteAllText(path, root.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
    }
}
