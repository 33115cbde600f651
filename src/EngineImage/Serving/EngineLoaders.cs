using EngineImage.Inference;
using EngineImage.Model;
using EngineImage.Tokenization;

namespace EngineImage.Serving;

/// <summary>How <c>serve</c> checks and loads what the flags name.</summary>
public static class EngineLoaders
{
    /// <summary>A one-line reason why the checkpoint or tokenizer cannot be served, or null when they look sound.</summary>
    public static string? Validate(EngineOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (!File.Exists(options.CheckpointPath)) return $"checkpoint not found: {options.CheckpointPath}";
        if (!File.Exists(options.TokenizerPath)) return $"tokenizer not found: {options.TokenizerPath}";
        return null;
    }

    /// <summary>The real loader: the tokenizer first (cheap, and it fails fast), then the weights on a pool thread.</summary>
    public static LoadEngine Default { get; } = (options, cancellationToken) => Task.Run(
        () =>
        {
            var tokenizer = TokenizerLoader.Load(options.ModelName, options.TokenizerPath);
            cancellationToken.ThrowIfCancellationRequested();
            return new LoadedEngine(ModelLoader.Load(options), tokenizer);
        },
        cancellationToken);
}
