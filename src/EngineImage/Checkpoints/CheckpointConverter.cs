using EngineImage.Model;
using EngineImage.Safetensors;
using EngineImage.Tokenization;
using static TorchSharp.torch;

namespace EngineImage.Checkpoints;

/// <summary>
/// Hugging Face checkpoint → engine checkpoint, as JetStream-PyTorch's converter does it: names mapped
/// (<see cref="HfNames"/>), weights in bfloat16 or int8 per output channel with <c>.weight_scaler</c> beside them
/// (embeddings too; norms stay bfloat16), Gemma's output tied to its embedding, and no RoPE permutation because the
/// engine rotates halves as HF does (<see cref="RotaryEmbedding"/>). Writes <c>model.safetensors</c> (the model config
/// in its metadata), <c>tokenizer.model</c> and <c>manifest.json</c>. Everything is checked before anything is written.
/// </summary>
public static class CheckpointConverter
{
    public const string TokenizerFile = "tokenizer.model";
    public const string ModelFile = "model.safetensors";

    /// <summary>Converts; <paramref name="progress"/> gets (tensors done, total, name). Throws
    /// <see cref="ConvertRefusedException"/> for missing files, an unknown architecture, shape mismatches or too little disk.</summary>
    public static CheckpointManifest Convert(string inDir, string outDir, bool int8, Action<int, int, string>? progress = null,
        CheckpointLayout layout = CheckpointLayout.Engine)
    {
        ArgumentNullException.ThrowIfNull(inDir);
        ArgumentNullException.ThrowIfNull(outDir);
        CheckFilesPresent(inDir);
        ModelConfig config;
        try
        {
            config = HfConfig.Read(Path.Combine(inDir, "config.json"));
        }
        catch (InvalidDataException e)
        {
            throw new ConvertRefusedException(e.Message, e);
        }
        if (layout == CheckpointLayout.JetStreamPyTorch && config.TiedOutput)
            throw new ConvertRefusedException($"the {CheckpointLayouts.JetStreamPyTorchName} layout is for Llama checkpoints: JetStream-PyTorch converts {config.Family} from its own PyTorch checkpoint, not from Hugging Face safetensors");
        var tokenizerIn = TokenizerIn(inDir);
        var tokenizer = CheckTokenizer(config, tokenizerIn);
        var extras = ConvertedTokenizer.Extras(inDir, tokenizerIn);
        if (tokenizer is Llama3Tokenizer llama) ConvertedTokenizer.CheckLlama(inDir, tokenizerIn, llama);
        using var checkpoint = OpenCheckpoint(inDir);
        var expected = HfNames.Expected(config);
        foreach (var (hf, _, shape) in expected)
        {
            if (!checkpoint.Tensors.TryGetValue(hf, out var entry)) throw new ConvertRefusedException($"checkpoint lacks tensor {hf}");
            if (!entry.Shape.SequenceEqual(shape))
                throw new ConvertRefusedException($"shape mismatch: {hf} is [{string.Join(",", entry.Shape)}] but config.json implies [{string.Join(",", shape)}]");
        }
        var outputs = layout == CheckpointLayout.Engine
            ? Plan(expected, int8)
            : PlanJetStream(expected, name => checkpoint.Tensors[name].DType, int8);
        CheckDisk(outDir, outputs.Sum(o => o.Bytes) + new FileInfo(tokenizerIn).Length + extras.Sum(e => new FileInfo(e).Length));

        Directory.CreateDirectory(outDir);
        var byEngine = outputs.ToDictionary(o => o.Engine, StringComparer.Ordinal);
        var pendingScales = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        var done = 0;
        var modelOut = Path.Combine(outDir, ModelFile);
        SafetensorsWriter.Write(modelOut, outputs.Select(o => o.Engine).ToList(),
            name => (byEngine[name].DType, byEngine[name].Shape),
            name =>
            {
                progress?.Invoke(++done, outputs.Count, name);
                var o = byEngine[name];
                if (pendingScales.Remove(name, out var scale)) return scale;
                using var read = checkpoint.Read(o.Hf);
                if (layout == CheckpointLayout.Engine)
                {
                    if (o.DType != "I8") return read.to(bfloat16, copy: true);
                    var (q, s) = Int8Quantizer.Quantize(read);
                    pendingScales[EngineWeightNames.Scaler(name)] = s;
                    return q;
                }
                using var source = JetStreamSource(read, name, config);
                if (o.DType != "I8") return source.to(o.DType == "F32" ? float32 : bfloat16, copy: true);
                var (jq, js) = JetStreamTensors.Quantize(source, name == EngineWeightNames.Embedding ? 0 : -1);
                pendingScales[EngineWeightNames.Scaler(name)] = js;
                return jq;
            },
            disposeProduced: true,
            new Dictionary<string, string> { ["format"] = "pt", ["config"] = config.ToJson() });
        var tokenizerOut = Path.Combine(outDir, TokenizerFile);
        ConvertedTokenizer.Write(tokenizerIn, tokenizerOut, tokenizer);
        var files = new Dictionary<string, string>
        {
            [ModelFile] = CheckpointManifest.Sha256(modelOut),
            [TokenizerFile] = CheckpointManifest.Sha256(tokenizerOut),
        };
        foreach (var extra in extras)
        {
            var copy = Path.Combine(outDir, Path.GetFileName(extra));
            File.Copy(extra, copy, overwrite: true);
            files[Path.GetFileName(extra)] = CheckpointManifest.Sha256(copy);
        }
        var manifest = new CheckpointManifest(config.Family, config.Size, "bfloat16", int8 ? "int8" : "none", files, layout.Name());
        manifest.Write(outDir);
        return manifest;
    }

    private sealed record Output(string Engine, string Hf, string DType, long[] Shape)
    {
        public long Bytes => Shape.Aggregate(1L, (a, b) => a * b) * (DType == "I8" ? 1 : DType == "F32" ? 4 : 2);
    }

    private static List<Output> Plan(IReadOnlyList<(string Hf, string Engine, long[] Shape)> expected, bool int8)
    {
        var outputs = new List<Output>();
        foreach (var (hf, engine, shape) in expected)
        {
            if (int8 && EngineWeightNames.IsQuantizable(engine))
            {
                outputs.Add(new Output(engine, hf, "I8", shape));
                outputs.Add(new Output(EngineWeightNames.Scaler(engine), hf, "F32", [shape[0]]));
            }
            else
            {
                outputs.Add(new Output(engine, hf, "BF16", shape));
            }
        }
        return outputs;
    }

    // JetStream-PyTorch keeps each tensor's dtype but makes float16 bfloat16; its scalers are bfloat16, per output row
    // of a linear weight and per column of the embedding.
    private static List<Output> PlanJetStream(IReadOnlyList<(string Hf, string Engine, long[] Shape)> expected, Func<string, string> dtypeOf, bool int8)
    {
        var outputs = new List<Output>();
        foreach (var (hf, engine, shape) in expected)
        {
            if (int8 && EngineWeightNames.IsQuantizable(engine))
            {
                outputs.Add(new Output(engine, hf, "I8", shape));
                outputs.Add(new Output(EngineWeightNames.Scaler(engine), hf, "BF16", [engine == EngineWeightNames.Embedding ? shape[1] : shape[0]]));
            }
            else
            {
                outputs.Add(new Output(engine, hf, dtypeOf(hf) == "F32" ? "F32" : "BF16", shape));
            }
        }
        return outputs;
    }

    private static Tensor JetStreamSource(Tensor read, string engineName, ModelConfig config) =>
        engineName.EndsWith(".attention.wq.weight", StringComparison.Ordinal) || engineName.EndsWith(".attention.wk.weight", StringComparison.Ordinal)
            ? JetStreamTensors.InterleaveRotaryRows(read, config.HeadDim)
            : read.alias();

    private static void CheckFilesPresent(string inDir)
    {
        if (!Directory.Exists(inDir)) throw new ConvertRefusedException($"input directory not found: {inDir}");
        var missing = new List<string>();
        if (!File.Exists(Path.Combine(inDir, "config.json"))) missing.Add("config.json");
        if (!File.Exists(TokenizerIn(inDir))) missing.Add($"{TokenizerFile} (or original/{TokenizerFile} or {HfTokenizerJson.FileName} for Llama)");
        try
        {
            var shards = SafetensorsCheckpoint.ListFiles(inDir);
            if (shards.Count == 0) missing.Add("model.safetensors (or model.safetensors.index.json)");
            missing.AddRange(shards.Where(s => !File.Exists(s)).Select(Path.GetFileName)!);
        }
        catch (InvalidDataException e)
        {
            throw new ConvertRefusedException(e.Message, e);
        }
        if (missing.Count > 0) throw new ConvertRefusedException($"missing files in {inDir}: {string.Join(", ", missing)}");
    }

    /// <summary>The repository's <c>tokenizer.model</c>; Meta's Llama 3 repositories have it only as
    /// <c>original/tokenizer.model</c> (the tiktoken file) beside the Hugging Face <c>tokenizer.json</c>, and Llama
    /// fine-tunes often have only <c>tokenizer.json</c>.</summary>
    private static string TokenizerIn(string inDir)
    {
        var top = Path.Combine(inDir, TokenizerFile);
        var original = Path.Combine(inDir, "original", TokenizerFile);
        var json = Path.Combine(inDir, HfTokenizerJson.FileName);
        if (File.Exists(top)) return top;
        if (File.Exists(original)) return original;
        return File.Exists(json) && IsLlama(inDir) ? json : top;
    }

    private static bool IsLlama(string inDir)
    {
        try
        {
            return HfConfig.Read(Path.Combine(inDir, "config.json")).Family == "llama-3";
        }
        catch (Exception e) when (e is InvalidDataException or IOException)
        {
            return false;
        }
    }

    private static ITextTokenizer CheckTokenizer(ModelConfig config, string path)
    {
        int tokens;
        ITextTokenizer tokenizer;
        try
        {
            tokenizer = TokenizerLoader.Load(config.Family, path);
            tokens = tokenizer switch
            {
                Llama3Tokenizer l => l.VocabSize,
                GemmaTokenizer g => g.VocabSize,
                _ => 0,
            };
        }
        catch (Exception e) when (e is InvalidDataException or IOException or FormatException)
        {
            throw new ConvertRefusedException($"unreadable {TokenizerFile}: {e.Message}", e);
        }
        if (tokens > config.VocabSize)
            throw new ConvertRefusedException($"shape mismatch: the tokenizer has {tokens} tokens but the model's vocabulary is {config.VocabSize}");
        if (config.EosTokenIds?.FirstOrDefault(id => id < 0 || id >= config.VocabSize, -1) is { } bad and not -1)
            throw new ConvertRefusedException($"eos_token_id {bad} is outside the vocabulary of {config.VocabSize}");
        return tokenizer;
    }

    private static SafetensorsCheckpoint OpenCheckpoint(string inDir)
    {
        try
        {
            return SafetensorsCheckpoint.Open(inDir);
        }
        catch (Exception e) when (e is InvalidDataException or FileNotFoundException)
        {
            throw new ConvertRefusedException(e.Message, e);
        }
    }

    private static void CheckDisk(string outDir, long needed)
    {
        var probe = Path.GetFullPath(outDir);
        while (!Directory.Exists(probe)) probe = Path.GetDirectoryName(probe) ?? "/";
        var available = new DriveInfo(probe).AvailableFreeSpace;
        var margin = 16L << 20;
        if (available < needed + margin)
            throw new ConvertRefusedException($"not enough disk at {outDir}: need {Mib(needed + margin)}, {Mib(available)} free");
    }

    private static string Mib(long bytes) => $"{bytes / (1024.0 * 1024):F0} MiB";
}
