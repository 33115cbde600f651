using System.Text;

namespace EngineImage.Tokenization;

/// <summary>GPT-2's byte-to-unicode alphabet (<c>bytes_to_unicode</c>) that byte-level BPE vocabularies are written in:
/// printable Latin-1 bytes stand for themselves, the other 68 bytes for U+0100 onwards in byte order.</summary>
internal static class ByteLevel
{
    private static readonly char[] ToChar = BuildToChar();
    private static readonly Dictionary<char, byte> ToByte = Enumerable.Range(0, 256).ToDictionary(b => ToChar[b], b => (byte)b);

    private static char[] BuildToChar()
    {
        var map = new char[256];
        var next = 256;
        for (var b = 0; b < 256; b++)
        {
            var printable = b is >= '!' and <= '~' or >= 0xA1 and <= 0xAC or >= 0xAE and <= 0xFF;
            map[b] = printable ? (char)b : (char)next++;
        }
        return map;
    }

    public static string Encode(ReadOnlySpan<byte> bytes)
    {
        var builder = new StringBuilder(bytes.Length);
        foreach (var b in bytes) builder.Append(ToChar[b]);
        return builder.ToString();
    }

    /// <summary>The bytes a byte-level string stands for, or null when it has a character outside the alphabet.</summary>
    public static byte[]? Decode(string text)
    {
        var bytes = new byte[text.Length];
        for (var i = 0; i < text.Length; i++)
        {
            if (!ToByte.TryGetValue(text[i], out var b)) return null;
            bytes[i] = b;
        }
        return bytes;
    }
}
