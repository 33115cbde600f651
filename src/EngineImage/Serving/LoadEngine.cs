using EngineImage.Inference;

namespace EngineImage.Serving;

/// <summary>Loads the weights and the tokenizer that <paramref name="options"/> name (see <see cref="EngineLoaders"/>).</summary>
public delegate Task<LoadedEngine> LoadEngine(EngineOptions options, CancellationToken cancellationToken);
