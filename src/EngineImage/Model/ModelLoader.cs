using EngineImage.Inference;
using EngineImage.Safetensors;
using static TorchSharp.torch;

namespace EngineImage.Model;

/// <summary>Loads an engine checkpoint (written by <c>convert</c>) into a <see cref="IInferenceModel"/>.</summary>
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
        using var checkpoint = SafetensorsCheckpoint.Open(options.CheckpointPath);
        var config = ReadConfig(checkpoint, options);
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

    private static ModelConfig ReadConfig(SafetensorsCheckpoint checkpoint, EngineOptions options)
    {
        var json = checkpoint.Metadata.GetValueOrDefault("config");
        var config = json is not null ? ModelConfig.FromJson(json)
            : ModelConfig.Preset(options.ModelName, options.Size)
              ?? throw new InvalidDataException($"checkpoint has no model config and there is no preset for {options.ModelName} {options.Size}");
        config.Validate();
        if (config.Family != options.ModelName)
            throw new InvalidDataException($"checkpoint holds a {config.Family} model, not {options.ModelName}");
        if (options.Size.Length > 0 && config.Size.Length > 0 && options.Size != config.Size)
            throw new InvalidDataException($"checkpoint holds size {config.Size}, not {options.Size}");
        return config;
    }

    private static WeightMatrix Matrix(SafetensorsCheckpoint checkpoint, string name, long rows, long cols, bool quantize, ScalarType dtype)
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

    private static TensorEntry Entry(SafetensorsCheckpoint checkpoint, string name, long rows, long cols)
    {
        if (!checkpoint.Tensors.TryGetValue(name, out var entry)) throw new InvalidDataException($"checkpoint has no tensor {name}");
        if (!entry.Shape.SequenceEqual([rows, cols]))
            throw new InvalidDataException($"{name} is [{string.Join(",", entry.Shape)}], expected [{rows},{cols}]");
        return entry;
    }

    private static Tensor Norm(SafetensorsCheckpoint checkpoint, string name, ModelConfig config)
    {
        if (!checkpoint.Tensors.TryGetValue(name, out var entry)) throw new InvalidDataException($"checkpoint has no tensor {name}");
        if (!entry.Shape.SequenceEqual([(long)config.HiddenSize]))
            throw new InvalidDataException($"{name} is [{string.Join(",", entry.Shape)}], expected [{config.HiddenSize}]");
        var f = WeightMatrix.Convert(checkpoint.Read(name), float32);
        // Gemma's RMSNorm multiplies by (1 + weight); fold the 1 in once here.
        return config.IsGemma ? f.add_(1f) : f;
    }
}
