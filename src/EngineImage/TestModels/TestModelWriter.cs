using System.Text.Json.Nodes;
using EngineImage.Checkpoints;
using EngineImage.Model;
using EngineImage.Safetensors;
using EngineImage.Tokenization;
using TorchSharp;
using static TorchSharp.torch;

namespace EngineImage.TestModels;

/// <summary>
/// Writes a randomly initialised Llama 3 or Gemma model in the Hugging Face layout: <c>config.json</c>,
/// <c>model.safetensors</c> (HF tensor names, bfloat16), <c>tokenizer.model</c> (a real tokenizer built from the GPT-2
/// merges) and <c>generation_config.json</c>. Matrices are N(0, 0.02²) (Gemma's embedding smaller, see below); norm weights are 1 ± 0.1 (Gemma stores them
/// as offsets from 1, so ±0.1 around 0), which keeps activations in range and lets tests tell the norms apart.
/// Deterministic for a given seed.
/// </summary>
public static class TestModelWriter
{
    /// <summary>The shapes of <c>tiny</c> (a few MB, for tests) and <c>small</c> (~100M parameters, for benchmarks).</summary>
    public static ModelConfig Shape(string family, string size, int vocab) => (family, size) switch
    {
        ("llama-3", "tiny") => Config(family, size, 64, 2, 4, 2, 16, 128, vocab, 1e-5, 500000),
        ("llama-3", "small") => Config(family, size, 640, 8, 10, 2, 64, 1792, vocab, 1e-5, 500000),
        ("gemma", "tiny") => Config(family, size, 64, 2, 4, 1, 32, 128, vocab, 1e-6, 10000),
        ("gemma", "small") => Config(family, size, 768, 12, 12, 4, 64, 3072, vocab, 1e-6, 10000),
        _ => throw new ArgumentException($"no test model {family} {size} (families llama-3, gemma; sizes tiny, small)"),
    };

    private static ModelConfig Config(string family, string size, int hidden, int layers, int heads, int kvHeads, int headDim,
        int ffn, int vocab, double eps, double theta) => new()
        {
            Family = family, Size = size, HiddenSize = hidden, Layers = layers, Heads = heads, KvHeads = kvHeads,
            HeadDim = headDim, IntermediateSize = ffn, VocabSize = vocab, NormEps = eps, RopeTheta = theta,
        };

    /// <summary>Gemma test vocabularies: the byte and control pieces plus this many GPT-2-derived pieces.</summary>
    public const int GemmaNormalPieces = 8000;

    public static ModelConfig Write(string family, string size, string dir, int seed = 0)
    {
        ArgumentNullException.ThrowIfNull(dir);
        Shape(family, size, 1); // unknown family or size fails before anything is written
        Directory.CreateDirectory(dir);
        var tokenizerPath = Path.Combine(dir, "tokenizer.model");
        int vocab, bos;
        int[] eos;
        int? pad = null;
        if (family == "llama-3")
        {
            Llama3Tokenizer.WriteModelFile(tokenizerPath, Gpt2Ranks.All);
            var ranks = Gpt2Ranks.All.Count;
            vocab = ranks + Llama3Tokenizer.SpecialTokenCount;
            (bos, eos) = (ranks, [ranks + 1, ranks + 9]);
        }
        else
        {
            var model = GemmaTestVocabulary.Build(GemmaNormalPieces);
            model.Write(tokenizerPath);
            vocab = model.Pieces.Count;
            (bos, eos, pad) = (model.BosId, [model.EosId], model.PadId);
        }
        var config = Shape(family, size, vocab);
        HfConfig.Write(Path.Combine(dir, "config.json"), config, bos, eos, pad);
        var generation = new JsonObject { ["bos_token_id"] = bos, ["eos_token_id"] = new JsonArray(eos.Select(e => (JsonNode)e).ToArray()), ["do_sample"] = false };
        if (pad is { } p) generation["pad_token_id"] = p;
        File.WriteAllText(Path.Combine(dir, "generation_config.json"), generation.ToJsonString());
        WriteWeights(Path.Combine(dir, "model.safetensors"), config, seed);
        return config;
    }

    private static void WriteWeights(string path, ModelConfig config, int seed)
    {
        using var generator = new Generator((ulong)seed);
        var expected = HfNames.Expected(config);
        var shapes = expected.ToDictionary(e => e.Hf, e => e.Shape, StringComparer.Ordinal);
        // Tensors are drawn in this fixed order, one at a time, so a seed always gives the same model.
        SafetensorsWriter.Write(path, expected.Select(e => e.Hf).ToList(),
            name => ("BF16", shapes[name]),
            name =>
            {
                using var scope = NewDisposeScope();
                var shape = shapes[name];
                var isNorm = shape.Length == 1;
                // Gemma multiplies embeddings by sqrt(hidden) and ties the output to them: drawn at 0.02 they dominate
                // the residual stream and greedy steps mostly echo their input token; drawn smaller they echo less.
                var std = isNorm ? 0.1 : config.IsGemma && name == HfNames.Embedding ? 0.02 / Math.Sqrt(config.HiddenSize) : 0.02;
                var values = randn(shape, dtype: float32, generator: generator).mul(std);
                if (isNorm && !config.IsGemma) values = values.add(1.0);
                return values.to(bfloat16).MoveToOuterDisposeScope();
            },
            disposeProduced: true,
            new Dictionary<string, string> { ["format"] = "pt" });
    }
}
