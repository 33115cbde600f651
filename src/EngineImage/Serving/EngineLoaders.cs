using EngineImage.Checkpoints;
using EngineImage.Inference;
using EngineImage.Model;
using EngineImage.Tokenization;

namespace EngineImage.Serving;

/// <summary>How <c>serve</c> checks and loads what the flags name.</summary>
public static class EngineLoaders
{
    /// <summary>A one-line reason why the checkpoint or tokenizer cannot be served (missing, corrupt, checksum
    /// mismatch against the manifest), or null when they can.</summary>
    public static string? Validate(EngineOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        try
        {
            CheckpointValidator.Validate(options.CheckpointPath, options.TokenizerPath, options.ModelName);
            return null;
        }
        catch (CheckpointInvalidException e)
        {
            return e.Message.ReplaceLineEndings(" ");
        }
    }

    /// <summary>The real loader: the tokenizer first (cheap, and it fails fast), then the weights on a pool thread.</summary>
    public static LoadEngine Default { get; } = (options, cancellationToken) => Task.Run(
        () =>
        {
            var tokenizer = WithEndTokens.Wrap(TokenizerLoader.Load(options.ModelName, options.TokenizerPath), ModelLoader.ReadConfig(options).EosTokenIds);
            cancellationToken.ThrowIfCancellationRequested();
            return new LoadedEngine(ModelLoader.Load(options), tokenizer);
        },
        cancellationToken);
}
