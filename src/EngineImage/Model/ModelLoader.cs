using EngineImage.Checkpoints;
using EngineImage.Inference;
using EngineImage.Safetensors;
using static TorchSharp.torch;

namespace EngineImage.Model;

/// <summary>Loads an engine checkpoint (written by <c>convert</c>), or a Hugging Face directory as published (its
/// <c>config.json</c> and HF tensor names, converted at load as <c>convert</c> would), into a <see cref="IInferenceModel"/>.</summary>
public static class ModelLoader
{
    /// <summary>
    /// Reads <see cref="EngineOptions.CheckpointPath"/> (a <c>model.safetensors</c> file, a directory holding one, or a
    /// sharded index) with engine tensor names. Weights stored as int8 (beside a <c>.weight_scaler</c>) stay int8;
    /// <see cref="EngineOptions.QuantizeWeights"/> quantizes float weights at load. Computes in bfloat16 unless
    /// <see cref="EngineOptions.Bf16Enable"/> is false. Preallocates the KV cache for <see cref="EngineOptions.BatchSize"/>
    /// slots of <see cref="EngineOptions.MaxCacheLength"/> positions. Throws <see cref="InvalidDataException"/> or
    /// <see cref="FileNotFoundException"/> with a one-line message when the checkpoint does not fit the options.
    /// </summary>
    public static IInferenceModel Load(EngineOptions options) => LoadTransformer(options);

    internal static TransformerModel LoadTransformer(EngineOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.BatchSize <= 0) throw new ArgumentException($"batch_size must be positive, got {options.BatchSize}");
        if (options.MaxCacheLength <= 0) throw new ArgumentException($"max_cache_length must be positive, got {options.MaxCacheLength}");
        var dtype = options.Bf16Enable ? bfloat16 : float32;
        using var opened = SafetensorsCheckpoint.Open(options.CheckpointPath);
        var config = ReadConfig(opened, options);
        var checkpoint = new NamedCheckpoint(opened, HfConfigPath(options.CheckpointPath, opened) is null ? null : config);
        var embedding = Matrix(checkpoint, EngineWeightNames.Embedding, config.VocabSize, config.HiddenSize, options.QuantizeWeights, dtype);
        WeightMatrix? output = config.TiedOutput ? null
            : Matrix(checkpoint, EngineWeightNames.Output, config.VocabSize, config.HiddenSize, options.QuantizeWeights, dtype);
        var layers = new LayerWeights[config.Layers];
        int q = config.Heads * config.HeadDim, kv = config.KvHeads * config.HeadDim, hidden = config.HiddenSize, ffn = config.IntermediateSize;
        for (var l = 0; l < config.Layers; l++)
        {
            WeightMatrix M(string name, int rows, int cols) => Matrix(checkpoint, name, rows, cols, options.QuantizeWeights, dtype);
            layers[l] = new LayerWeights(
                Norm(checkpoint, EngineWeightNames.AttentionNorm(l), config),
                WeightMatrix.Stack(M(EngineWeightNames.Wq(l), q, hidden), M(EngineWeightNames.Wk(l), kv, hidden), M(EngineWeightNames.Wv(l), kv, hidden)),
                M(EngineWeightNames.Wo(l), hidden, q),
                Norm(checkpoint, EngineWeightNames.FfnNorm(l), config),
                WeightMatrix.Stack(M(EngineWeightNames.W1(l), ffn, hidden), M(EngineWeightNames.W3(l), ffn, hidden)),
                M(EngineWeightNames.W2(l), hidden, ffn));
        }
        var finalNorm = Norm(checkpoint, EngineWeightNames.FinalNorm, config);
        return new TransformerModel(config, embedding, output, layers, finalNorm, dtype,
            options.BatchSize, options.MaxCacheLength, options.QuantizeKvCache);
    }

    /// <summary>The model config <see cref="Load"/> would use, read from the checkpoint's headers only.</summary>
    public static ModelConfig ReadConfig(EngineOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        using var checkpoint = SafetensorsCheckpoint.Open(options.CheckpointPath);
        return ReadConfig(checkpoint, options);
    }

    private static ModelConfig ReadConfig(SafetensorsCheckpoint checkpoint, EngineOptions options)
    {
        var json = checkpoint.Metadata.GetValueOrDefault("config");
        var hfConfig = HfConfigPath(options.CheckpointPath, checkpoint);
        var config = json is not null ? ModelConfig.FromJson(json)
            : hfConfig is not null ? HfConfig.Read(hfConfig)
            : ModelConfig.Preset(options.ModelName, options.Size)
              ?? throw new InvalidDataException($"checkpoint has no model config and there is no preset for {options.ModelName} {options.Size}");
        config.Validate();
        if (config.Family != options.ModelName)
            throw new InvalidDataException($"checkpoint holds a {config.Family} model, not {options.ModelName}");
        if (options.Size.Length > 0 && config.Size.Length > 0 && options.Size != config.Size)
            throw new InvalidDataException($"checkpoint holds size {config.Size}, not {options.Size}");
        return config;
    }

    /// <summary>The <c>config.json</c> of a Hugging Face directory: beside the checkpoint, which has HF tensor names and
    /// no engine config in its metadata.</summary>
    private static string? HfConfigPath(string checkpointPath, SafetensorsCheckpoint checkpoint)
    {
        if (checkpoint.Metadata.ContainsKey("config") || !checkpoint.Tensors.ContainsKey(HfNames.Embedding)) return null;
        var dir = Directory.Exists(checkpointPath) ? checkpointPath : Path.GetDirectoryName(Path.GetFullPath(checkpointPath))!;
        var path = Path.Combine(dir, "config.json");
        return File.Exists(path) ? path : null;
    }

    private static WeightMatrix Matrix(NamedCheckpoint checkpoint, string name, long rows, long cols, bool quantize, ScalarType dtype)
    {
        var entry = Entry(checkpoint, name, rows, cols);
        var scalerName = EngineWeightNames.Scaler(name);
        if (checkpoint.Contains(scalerName))
        {
            if (entry.DType != "I8") throw new InvalidDataException($"{name} has a scaler but is {entry.DType}, not I8");
            if (!checkpoint.Tensors[scalerName].Shape.SequenceEqual([rows])) throw new InvalidDataException($"{scalerName} is not [{rows}]");
            return WeightMatrix.Int8(checkpoint.Read(name), checkpoint.Read(scalerName), dtype);
        }
        var w = checkpoint.Read(name);
        if (!quantize) return WeightMatrix.Dense(w, dtype);
        using (w)
        {
            var (qw, s) = Int8Quantizer.Quantize(w);
            return WeightMatrix.Int8(qw, s, dtype);
        }
    }

    private static TensorEntry Entry(NamedCheckpoint checkpoint, string name, long rows, long cols)
    {
        if (!checkpoint.Tensors.TryGetValue(name, out var entry)) throw new InvalidDataException($"checkpoint has no tensor {name}");
        if (!entry.Shape.SequenceEqual([rows, cols]))
            throw new InvalidDataException($"{name} is [{string.Join(",", entry.Shape)}], expected [{rows},{cols}]");
        return entry;
    }

    private static Tensor Norm(NamedCheckpoint checkpoint, string name, ModelConfig config)
    {
        if (!checkpoint.Tensors.TryGetValue(name, out var entry)) throw new InvalidDataException($"checkpoint has no tensor {name}");
        if (!entry.Shape.SequenceEqual([(long)config.HiddenSize]))
            throw new InvalidDataException($"{name} is [{string.Join(",", entry.Shape)}], expected [{config.HiddenSize}]");
        var f = WeightMatrix.Convert(checkpoint.Read(name), float32);
        // Gemma's RMSNorm multiplies by (1 + weight); fold the 1 in once here.
        return config.IsGemma ? f.add_(1f) : f;
    }

    /// <summary>A checkpoint read by engine tensor names, whether it stores them (engine checkpoint) or Hugging Face's.</summary>
    private sealed class NamedCheckpoint
    {
        private readonly SafetensorsCheckpoint _checkpoint;
        private readonly Dictionary<string, string>? _hfNames;

        public NamedCheckpoint(SafetensorsCheckpoint checkpoint, ModelConfig? hfConfig)
        {
            _checkpoint = checkpoint;
            _hfNames = hfConfig is null ? null : HfNames.Expected(hfConfig).ToDictionary(e => e.Engine, e => e.Hf, StringComparer.Ordinal);
            Tensors = _hfNames is null ? checkpoint.Tensors
                : _hfNames.Where(n => checkpoint.Tensors.ContainsKey(n.Value)).ToDictionary(n => n.Key, n => checkpoint.Tensors[n.Value], StringComparer.Ordinal);
        }

        public IReadOnlyDictionary<string, TensorEntry> Tensors { get; }

        public bool Contains(string name) => Tensors.ContainsKey(name);

        public Tensor Read(string name) => _checkpoint.Read(_hfNames is null ? name : _hfNames[name]);
    }
}
