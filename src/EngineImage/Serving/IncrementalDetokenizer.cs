using EngineImage.Tokenization;

namespace EngineImage.Serving;

/// <summary>
/// Turns one request's tokens into text as they arrive. It decodes a short window (the piece emitted last plus the
/// new tokens) so that tokenizers whose text depends on the neighbour (SentencePiece's leading space, byte-level BPE
/// pieces of one character) come out right, and holds text back while it ends in U+FFFD, i.e. while a multi-byte UTF-8
/// character is still incomplete. The concatenation of every piece is the response text, streamed or not.
/// Not thread safe: one per request.
/// </summary>
public sealed class IncrementalDetokenizer(ITextTokenizer tokenizer)
{
    private readonly List<int> _ids = [];
    private int _prefixOffset;
    private int _readOffset;

    public IReadOnlyList<int> Ids => _ids;

    /// <summary>Adds a token and returns the text it completes (often empty while a character is incomplete).</summary>
    public string Push(int id)
    {
        _ids.Add(id);
        return Next(final: false);
    }

    /// <summary>Returns whatever is still held back, incomplete characters included: call once at the end.</summary>
    public string Flush() => _readOffset == _ids.Count ? "" : Next(final: true);

    private string Next(bool final)
    {
        var prefix = Decode(_prefixOffset, _readOffset);
        var full = Decode(_prefixOffset, _ids.Count);
        if (!final && (full.Length <= prefix.Length || full.EndsWith('\uFFFD')))
            return "";
        var piece = full.Length > prefix.Length ? full[prefix.Length..] : "";
        _prefixOffset = _readOffset;
        _readOffset = _ids.Count;
        return piece;
    }

    private string Decode(int from, int to) => from >= to ? "" : tokenizer.Decode(_ids.GetRange(from, to - from));
}
