namespace EngineImage.Tokenization;

/// <summary>A model's tokenizer: tiktoken-style BPE for llama-3, SentencePiece for gemma. Thread safe.</summary>
public interface ITextTokenizer
{
    int? BosId { get; }

    IReadOnlyList<int> Encode(string text, bool addBos);

    /// <summary>Decodes ids to text, leaving special tokens out. Bytes that do not yet form a whole UTF-8 character
    /// come out as U+FFFD, which a streaming caller uses to hold text back until the character completes.</summary>
    string Decode(IReadOnlyList<int> ids);

    bool IsEndOfSequence(int id);
}
