using System.Text.Json.Nodes;
using EngineImage.Checkpoints;
using EngineImage.Safetensors;
using EngineImage.Tokenization;
using static TorchSharp.torch;

namespace EngineImage.Tests.Published;

/// <summary>
/// Lays out a Hugging Face directory as Meta publishes Llama 3.1/3.2 (small sizes, same file names): config.json with
/// <c>rope_scaling</c> llama3 and <c>tie_word_embeddings</c>, <c>generation_config.json</c> with an eos list,
/// <c>tokenizer.json</c> and <c>original/tokenizer.model</c>, <c>tokenizer_config.json</c>, and the bf16 weights either
/// sharded (<c>model-0000N-of-0000M.safetensors</c> + <c>model.safetensors.index.json</c>) or in one file.
/// </summary>
internal static class PublishedDirectory
{
    /// <summary>Llama 3.1 Instruct's generation_config list: end_of_text, eom_id, eot_id (128001, 128008, 128009 with
    /// Meta's 128000 ranks), here after the test model's ranks.</summary>
    public static int[] EosIds(int ranks) => [ranks + 1, ranks + 8, ranks + 9];

    /// <summary>From the tiny test model in <paramref name="hfDir"/> (GPT-2 ranks), dropping <c>lm_head</c> when
    /// <paramref name="tied"/>.</summary>
    public static string Llama(string hfDir, string dir, bool sharded, bool tied)
    {
        Directory.CreateDirectory(Path.Combine(dir, "original"));
        var config = JsonNode.Parse(File.ReadAllText(Path.Combine(hfDir, "config.json")))!;
        config.AsObject().Remove(HfConfig.SizeField);
        config["tie_word_embeddings"] = tied;
        config["rope_scaling"] = new JsonObject
        {
            ["factor"] = 32.0, ["high_freq_factor"] = 4.0, ["low_freq_factor"] = 1.0,
            ["original_max_position_embeddings"] = 8192, ["rope_type"] = "llama3",
        };
        var ranks = Llama3Tokenizer.Load(Path.Combine(hfDir, "tokenizer.model"));
        var eos = EosIds(ranks.Ranks.Count);
        config["eos_token_id"] = eos[0];
        File.WriteAllText(Path.Combine(dir, "config.json"), config.ToJsonString());
        File.WriteAllText(Path.Combine(dir, "generation_config.json"),
            new JsonObject { ["bos_token_id"] = ranks.BosId, ["eos_token_id"] = new JsonArray(eos.Select(e => (JsonNode)e).ToArray()), ["do_sample"] = true }.ToJsonString());
        File.WriteAllText(Path.Combine(dir, "tokenizer_config.json"), new JsonObject { ["bos_token"] = "<|begin_of_text|>", ["eos_token"] = "<|eot_id|>" }.ToJsonString());
        File.Copy(Path.Combine(hfDir, "tokenizer.model"), Path.Combine(dir, "original", "tokenizer.model"));
        HfTokenizerJson.Write(Path.Combine(dir, HfTokenizerJson.FileName), ranks.Ranks, ranks.Specials, Llama3Tokenizer.PreTokenizerPattern);
        WriteWeights(hfDir, dir, sharded, tied ? [HfNames.LmHead] : []);
        return dir;
    }

    public static void WriteWeights(string hfDir, string dir, bool sharded, IReadOnlyCollection<string> drop)
    {
        using var source = SafetensorsCheckpoint.Open(hfDir);
        var names = source.Tensors.Keys.Where(n => !drop.Contains(n)).Order(StringComparer.Ordinal).ToList();
        if (!sharded)
        {
            Write(source, Path.Combine(dir, "model.safetensors"), names);
            return;
        }
        var half = names.Count / 2;
        var shards = new[] { names[..half], names[half..] };
        var map = new JsonObject();
        for (var s = 0; s < shards.Length; s++)
        {
            var file = $"model-{s + 1:D5}-of-{shards.Length:D5}.safetensors";
            Write(source, Path.Combine(dir, file), shards[s]);
            foreach (var n in shards[s]) map[n] = file;
        }
        File.WriteAllText(Path.Combine(dir, "model.safetensors.index.json"),
            new JsonObject { ["metadata"] = new JsonObject { ["total_size"] = 0 }, ["weight_map"] = map }.ToJsonString());
    }

    private static void Write(SafetensorsCheckpoint source, string path, List<string> names) =>
        SafetensorsWriter.Write(path, names, n => (source.Tensors[n].DType, source.Tensors[n].Shape), n => source.Read(n).to(bfloat16, copy: true),
            disposeProduced: true, new Dictionary<string, string> { ["format"] = "pt" });
}
