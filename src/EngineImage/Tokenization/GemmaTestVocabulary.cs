using System.Text;

namespace EngineImage.Tokenization;

/// <summary>
/// Builds a Gemma-style SentencePiece BPE model for test models from the GPT-2 merges: control pieces
/// <c>&lt;pad&gt; &lt;eos&gt; &lt;bos&gt; &lt;unk&gt;</c> at 0..3, <c>&lt;start_of_turn&gt; &lt;end_of_turn&gt;</c>, the 256 byte
/// pieces, then the first GPT-2 tokens that are whole UTF-8 text (space as U+2581), scored by merge order.
/// </summary>
internal static class GemmaTestVocabulary
{
    public static SentencePieceModel Build(int normalPieces)
    {
        var pieces = new List<SentencePieceModel.Piece>
        {
            new("<pad>", 0, SentencePieceModel.PieceType.Control),
            new("<eos>", 0, SentencePieceModel.PieceType.Control),
            new("<bos>", 0, SentencePieceModel.PieceType.Control),
            new("<unk>", 0, SentencePieceModel.PieceType.Unknown),
            new("<start_of_turn>", 0, SentencePieceModel.PieceType.UserDefined),
            new("<end_of_turn>", 0, SentencePieceModel.PieceType.UserDefined),
        };
        for (var b = 0; b < 256; b++) pieces.Add(new($"<0x{b:X2}>", 0, SentencePieceModel.PieceType.Byte));
        var strict = new UTF8Encoding(false, throwOnInvalidBytes: true);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var token in Gpt2Ranks.All)
        {
            if (seen.Count >= normalPieces) break;
            string text;
            try
            {
                text = strict.GetString(token);
            }
            catch (DecoderFallbackException)
            {
                continue;
            }
            if (text.Length == 0 || text.Any(char.IsControl) && text != "\n") continue;
            text = text.Replace(' ', '\u2581');
            if (seen.Add(text)) pieces.Add(new(text, -seen.Count, SentencePieceModel.PieceType.Normal));
        }
        return new SentencePieceModel(pieces, UnkId: 3, BosId: 2, EosId: 1, PadId: 0);
    }
}
