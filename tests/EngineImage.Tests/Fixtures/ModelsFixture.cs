using EngineImage.Checkpoints;
using EngineImage.Inference;
using EngineImage.Model;
using EngineImage.TestModels;
using EngineImage.Tokenization;

namespace EngineImage.Tests.Fixtures;

/// <summary>
/// Tiny llama-3 and gemma models, written by <see cref="TestModelWriter"/> in the Hugging Face layout and converted
/// by the real converter both to bfloat16 and to int8, once for all the model tests.
/// </summary>
public sealed class ModelsFixture : IDisposable
{
    public const int Seed = 3;

    private readonly Dictionary<string, ITextTokenizer> _tokenizers = [];

    public string Root { get; } = Path.Combine(Path.GetTempPath(), "engine-model-tests-" + Guid.NewGuid().ToString("N"));

    public ModelsFixture()
    {
        foreach (var family in new[] { "llama-3", "gemma" })
        {
            TestModelWriter.Write(family, "tiny", HfDir(family), Seed);
            CheckpointConverter.Convert(HfDir(family), EngineDir(family, int8: false), int8: false);
            CheckpointConverter.Convert(HfDir(family), EngineDir(family, int8: true), int8: true);
            _tokenizers[family] = TokenizerLoader.Load(family, Path.Combine(HfDir(family), "tokenizer.model"));
        }
    }

    public string HfDir(string family) => Path.Combine(Root, family + "-hf");

    public string EngineDir(string family, bool int8) => Path.Combine(Root, family + (int8 ? "-int8" : "-bf16"));

    public ITextTokenizer Tokenizer(string family) => _tokenizers[family];

    public EngineOptions Options(string family, bool int8Weights = false, bool int8Kv = false, bool bf16 = false,
        int slots = 3, int cache = 64) => new()
        {
            ModelName = family,
            CheckpointPath = Path.Combine(EngineDir(family, int8Weights), "model.safetensors"),
            TokenizerPath = Path.Combine(EngineDir(family, int8Weights), "tokenizer.model"),
            BatchSize = slots,
            MaxCacheLength = cache,
            QuantizeKvCache = int8Kv,
            Bf16Enable = bf16,
        };

    internal TransformerModel Load(string family, bool int8Weights = false, bool int8Kv = false, bool bf16 = false) =>
        ModelLoader.LoadTransformer(Options(family, int8Weights, int8Kv, bf16));

    /// <summary>A private copy of a directory that a test may damage.</summary>
    public string Copy(string directory)
    {
        var copy = Path.Combine(Root, "copy-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(copy);
        foreach (var file in Directory.GetFiles(directory)) File.Copy(file, Path.Combine(copy, Path.GetFileName(file)));
        return copy;
    }

    public void Dispose() => Directory.Delete(Root, recursive: true);
}
