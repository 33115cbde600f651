using EngineImage.Inference;
using EngineImage.Tokenization;

namespace EngineImage.Serving;

/// <summary>A model with its tokenizer, as the server loads them. Disposing it frees the model.</summary>
public sealed record LoadedEngine(IInferenceModel Model, ITextTokenizer Tokenizer) : IDisposable
{
    public void Dispose() => Model.Dispose();
}
