using Google.Protobuf;

namespace EngineImage.Tokenization;

/// <summary>
/// The parts of SentencePiece's <c>ModelProto</c> (sentencepiece_model.proto) the engine reads and writes:
/// pieces (field 1: piece = 1, score = 2, type = 3), trainer spec (field 2: model_type = 3, vocab_size = 4,
/// byte_fallback = 35, unk/bos/eos/pad ids = 40..43) and normalizer spec (field 3: name = 1, add_dummy_prefix = 3,
/// remove_extra_whitespaces = 4, escape_whitespaces = 5). Written with Google.Protobuf's CodedOutputStream so the
/// file is a real <c>tokenizer.model</c> that any SentencePiece implementation loads.
/// </summary>
public sealed record SentencePieceModel(IReadOnlyList<SentencePieceModel.Piece> Pieces, int UnkId, int BosId, int EosId, int PadId)
{
    public enum PieceType { Normal = 1, Unknown = 2, Control = 3, UserDefined = 4, Unused = 5, Byte = 6 }

    public sealed record Piece(string Text, float Score, PieceType Type);

    public void Write(string path)
    {
        using var file = File.Create(path);
        using var output = new CodedOutputStream(file);
        foreach (var piece in Pieces)
        {
            output.WriteTag(1, WireFormat.WireType.LengthDelimited);
            output.WriteBytes(Message(o =>
            {
                o.WriteTag(1, WireFormat.WireType.LengthDelimited); o.WriteString(piece.Text);
                o.WriteTag(2, WireFormat.WireType.Fixed32); o.WriteFloat(piece.Score);
                o.WriteTag(3, WireFormat.WireType.Varint); o.WriteEnum((int)piece.Type);
            }));
        }
        output.WriteTag(2, WireFormat.WireType.LengthDelimited);
        output.WriteBytes(Message(o =>
        {
            o.WriteTag(3, WireFormat.WireType.Varint); o.WriteEnum(2); // BPE
            o.WriteTag(4, WireFormat.WireType.Varint); o.WriteInt32(Pieces.Count);
            o.WriteTag(35, WireFormat.WireType.Varint); o.WriteBool(true); // byte_fallback
            o.WriteTag(40, WireFormat.WireType.Varint); o.WriteInt32(UnkId);
            o.WriteTag(41, WireFormat.WireType.Varint); o.WriteInt32(BosId);
            o.WriteTag(42, WireFormat.WireType.Varint); o.WriteInt32(EosId);
            o.WriteTag(43, WireFormat.WireType.Varint); o.WriteInt32(PadId);
        }));
        output.WriteTag(3, WireFormat.WireType.LengthDelimited);
        output.WriteBytes(Message(o =>
        {
            o.WriteTag(1, WireFormat.WireType.LengthDelimited); o.WriteString("identity");
            o.WriteTag(3, WireFormat.WireType.Varint); o.WriteBool(false); // add_dummy_prefix, as Gemma
            o.WriteTag(4, WireFormat.WireType.Varint); o.WriteBool(false); // remove_extra_whitespaces
            o.WriteTag(5, WireFormat.WireType.Varint); o.WriteBool(true); // escape_whitespaces: ' ' -> U+2581
        }));
    }

    private static ByteString Message(Action<CodedOutputStream> write)
    {
        using var ms = new MemoryStream();
        using (var o = new CodedOutputStream(ms, leaveOpen: true)) write(o);
        return ByteString.CopyFrom(ms.ToArray());
    }

    /// <summary>Reads pieces and the special ids; fields it does not know are skipped.</summary>
    public static SentencePieceModel Read(string path)
    {
        var pieces = new List<Piece>();
        int unk = 0, bos = 1, eos = 2, pad = -1;
        using var input = new CodedInputStream(File.ReadAllBytes(path));
        try
        {
            while (input.ReadTag() is var tag and not 0)
            {
                switch (WireFormat.GetTagFieldNumber(tag))
                {
                    case 1 when WireFormat.GetTagWireType(tag) == WireFormat.WireType.LengthDelimited:
                        pieces.Add(ReadPiece(input.ReadBytes()));
                        break;
                    case 2 when WireFormat.GetTagWireType(tag) == WireFormat.WireType.LengthDelimited:
                        (unk, bos, eos, pad) = ReadIds(input.ReadBytes(), (unk, bos, eos, pad));
                        break;
                    default:
                        input.SkipLastField();
                        break;
                }
            }
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new InvalidDataException($"{path}: not a SentencePiece model ({e.Message})", e);
        }
        if (pieces.Count == 0) throw new InvalidDataException($"{path}: SentencePiece model has no pieces");
        return new SentencePieceModel(pieces, unk, bos, eos, pad);
    }

    private static Piece ReadPiece(ByteString bytes)
    {
        var input = bytes.CreateCodedInput();
        string text = "";
        float score = 0;
        var type = PieceType.Normal;
        while (input.ReadTag() is var tag and not 0)
        {
            switch (WireFormat.GetTagFieldNumber(tag))
            {
                case 1: text = input.ReadString(); break;
                case 2: score = input.ReadFloat(); break;
                case 3: type = (PieceType)input.ReadEnum(); break;
                default: input.SkipLastField(); break;
            }
        }
        return new Piece(text, score, type);
    }

    private static (int, int, int, int) ReadIds(ByteString bytes, (int Unk, int Bos, int Eos, int Pad) ids)
    {
        var input = bytes.CreateCodedInput();
        while (input.ReadTag() is var tag and not 0)
        {
            switch (WireFormat.GetTagFieldNumber(tag))
            {
                case 40: ids.Unk = input.ReadInt32(); break;
                case 41: ids.Bos = input.ReadInt32(); break;
                case 42: ids.Eos = input.ReadInt32(); break;
                case 43: ids.Pad = input.ReadInt32(); break;
                default: input.SkipLastField(); break;
            }
        }
        return ids;
    }
}
