using System.Globalization;
using System.Text;
using Microsoft.ML.Tokenizers;

namespace EngineImage.Tokenization;

/// <summary>
/// Gemma's tokenizer: a SentencePiece BPE <c>tokenizer.model</c> with byte fallback (<c>&lt;pad&gt;</c> = 0,
/// <c>&lt;eos&gt;</c> = 1, <c>&lt;bos&gt;</c> = 2, <c>&lt;unk&gt;</c> = 3). Encoding goes through Microsoft.ML.Tokenizers'
/// SentencePieceTokenizer; decoding joins the pieces' bytes here (byte pieces <c>&lt;0xNN&gt;</c> as their byte, control
/// and user-defined pieces left out) so that a split UTF-8 character shows as U+FFFD.
/// </summary>
public sealed class GemmaTokenizer : ITextTokenizer
{
    private readonly SentencePieceTokenizer _tokenizer;
    private readonly byte[]?[] _bytes;
    private readonly int _eos;
    private readonly int _endOfTurn;

    private GemmaTokenizer(SentencePieceTokenizer tokenizer, SentencePieceModel model)
    {
        _tokenizer = tokenizer;
        _eos = model.EosId;
        BosId = model.BosId;
        _endOfTurn = -1;
        _bytes = new byte[]?[model.Pieces.Count];
        for (var i = 0; i < model.Pieces.Count; i++)
        {
            var piece = model.Pieces[i];
            _bytes[i] = piece.Type switch
            {
                SentencePieceModel.PieceType.Normal => Encoding.UTF8.GetBytes(piece.Text.Replace('\u2581', ' ')),
                SentencePieceModel.PieceType.Byte => [byte.Parse(piece.Text.AsSpan(3, 2), NumberStyles.HexNumber, CultureInfo.InvariantCulture)],
                _ => null,
            };
            if (piece.Text == "<end_of_turn>") _endOfTurn = i;
        }
        VocabSize = model.Pieces.Count;
    }

    public int? BosId { get; }

    public int VocabSize { get; }

    public int EosId => _eos;

    public static GemmaTokenizer Load(string path)
    {
        var model = SentencePieceModel.Read(path);
        using var stream = File.OpenRead(path);
        var tokenizer = SentencePieceTokenizer.Create(stream, addBeginningOfSentence: false, addEndOfSentence: false);
        return new GemmaTokenizer(tokenizer, model);
    }

    public IReadOnlyList<int> Encode(string text, bool addBos) =>
        _tokenizer.EncodeToIds(text, addBeginningOfSentence: addBos, addEndOfSentence: false);

    public string Decode(IReadOnlyList<int> ids)
    {
        ArgumentNullException.ThrowIfNull(ids);
        var buffer = new List<byte>(ids.Count * 4);
        foreach (var id in ids)
        {
            if (id >= 0 && id < _bytes.Length && _bytes[id] is { } b) buffer.AddRange(b);
        }
        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    public bool IsEndOfSequence(int id) => id == _eos || id == _endOfTurn;
}
