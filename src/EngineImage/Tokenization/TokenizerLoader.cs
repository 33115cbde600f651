namespace EngineImage.Tokenization;

/// <summary>Loads the tokenizer a model family uses from its <c>tokenizer.model</c>.</summary>
public static class TokenizerLoader
{
    /// <summary><paramref name="modelName"/> is JetStream's <c>--model_name</c>: <c>llama-3</c> (tiktoken BPE) or
    /// <c>gemma</c> (SentencePiece). Throws <see cref="FileNotFoundException"/> / <see cref="InvalidDataException"/> with a
    /// one-line message for a missing or unreadable file, <see cref="ArgumentException"/> for an unknown family.</summary>
    public static ITextTokenizer Load(string modelName, string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"tokenizer file not found: {path}", path);
        return modelName switch
        {
            "llama-3" => Llama3Tokenizer.Load(path),
            "gemma" => GemmaTokenizer.Load(path),
            _ => throw new ArgumentException($"unknown model family '{modelName}' (expected llama-3 or gemma)", nameof(modelName)),
        };
    }
}
