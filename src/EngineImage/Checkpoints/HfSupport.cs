using System.Text.Json.Nodes;
using EngineImage.Model;

namespace EngineImage.Checkpoints;

/// <summary>
/// What of a Hugging Face <c>config.json</c> the engine can serve. Anything that would change the computation and that
/// the engine does not implement is refused by name (one line), never ignored: serving it would give wrong text.
/// </summary>
internal static class HfSupport
{
    /// <summary>Gemma 2 needs what the engine's forward does not have.</summary>
    public const string Gemma2Missing =
        "attention logit soft-capping (attn_logit_softcapping), final logit soft-capping (final_logit_softcapping), " +
        "sliding-window attention on alternate layers (sliding_window), the pre/post feed-forward norms " +
        "(pre_feedforward_layernorm, post_feedforward_layernorm) and query_pre_attn_scalar";

    /// <summary>The family for an architecture name, or a one-line refusal.</summary>
    public static string Family(string architecture, string? modelType)
    {
        var family = architecture switch
        {
            HfConfig.LlamaArchitecture => "llama-3",
            HfConfig.GemmaArchitecture => "gemma",
            "Gemma2ForCausalLM" => throw new InvalidDataException($"unsupported architecture Gemma2ForCausalLM: the engine lacks {Gemma2Missing}"),
            _ => throw new InvalidDataException($"unknown architecture {architecture} (supported: {HfConfig.LlamaArchitecture}, {HfConfig.GemmaArchitecture})"),
        };
        var expectedType = family == "gemma" ? "gemma" : "llama";
        if (modelType is not null && modelType != expectedType)
            throw new InvalidDataException($"unsupported model_type {modelType} (the engine reads {expectedType} for {architecture})");
        return family;
    }

    /// <summary>Refuses settings that change the computation in ways the engine does not implement.</summary>
    public static void RefuseUnsupported(JsonNode root, string family)
    {
        if (root["quantization_config"] is JsonObject quantization)
        {
            var method = quantization["quant_method"]?.ToString() ?? "unnamed";
            throw new InvalidDataException($"unsupported quantization_config (quant_method {method}): convert from the unquantized checkpoint");
        }
        foreach (var flag in new[] { "attention_bias", "mlp_bias" })
        {
            if (root[flag] is JsonValue v && v.TryGetValue<bool>(out var on) && on)
                throw new InvalidDataException($"unsupported {flag}: true (the engine's projections have no bias)");
        }
        if (family == "llama-3")
        {
            var act = root["hidden_act"]?.ToString() ?? "silu";
            if (act != "silu") throw new InvalidDataException($"unsupported hidden_act {act} for Llama (the engine computes silu)");
        }
        else
        {
            // transformers' Gemma uses hidden_activation and, when it is absent, the tanh approximation whatever
            // hidden_act says (the first published configs said "gelu" and meant it).
            var act = root["hidden_activation"]?.ToString() ?? "gelu_pytorch_tanh";
            if (act is not ("gelu_pytorch_tanh" or "gelu_tanh"))
                throw new InvalidDataException($"unsupported hidden_activation {act} for Gemma (the engine computes gelu_pytorch_tanh)");
        }
    }

    /// <summary>The scaling <c>rope_scaling</c> asks for: null for none or <c>default</c>, <c>llama3</c>'s parameters,
    /// or a one-line refusal naming the type.</summary>
    public static Llama3RopeScaling? RopeScaling(JsonNode root, string family, string path)
    {
        if (root["rope_scaling"] is not JsonObject scaling) return null;
        var type = (scaling["rope_type"] ?? scaling["type"])?.ToString() ?? "(none)";
        if (type == "default") return null;
        if (type != "llama3" || family != "llama-3")
            throw new InvalidDataException($"unsupported rope_scaling type {type} (supported: llama3 for Llama)");
        double Number(string name) => scaling[name]?.GetValue<double>() ?? throw new InvalidDataException($"{path}: rope_scaling lacks {name}");
        var result = new Llama3RopeScaling(Number("factor"), Number("low_freq_factor"), Number("high_freq_factor"),
            (int)Number("original_max_position_embeddings"));
        result.Validate();
        return result;
    }

    /// <summary><c>eos_token_id</c>, an int or a list of ints, from <c>generation_config.json</c> beside
    /// <paramref name="configPath"/> when it names one, else from config.json; null when neither does.</summary>
    public static IReadOnlyList<int>? EosTokenIds(JsonNode root, string configPath)
    {
        var generation = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(configPath))!, "generation_config.json");
        if (File.Exists(generation))
        {
            JsonNode? node;
            try
            {
                node = JsonNode.Parse(File.ReadAllText(generation));
            }
            catch (System.Text.Json.JsonException e)
            {
                throw new InvalidDataException($"{generation} is not JSON ({e.Message})", e);
            }
            if (Ids(node?["eos_token_id"], generation) is { } fromGeneration) return fromGeneration;
        }
        return Ids(root["eos_token_id"], configPath);
    }

    private static int[]? Ids(JsonNode? node, string path) => node switch
    {
        null => null,
        JsonArray list => list.Select(e => e?.GetValue<int>() ?? throw new InvalidDataException($"{path}: null in eos_token_id")).ToArray(),
        JsonValue single => [single.GetValue<int>()],
        _ => throw new InvalidDataException($"{path}: eos_token_id must be an int or a list of ints"),
    };
}
