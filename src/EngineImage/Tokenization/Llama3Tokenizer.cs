using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.ML.Tokenizers;

namespace EngineImage.Tokenization;

/// <summary>
/// Llama 3's tokenizer: a tiktoken-format BPE file (<c>base64(token) rank</c> per line, as Meta ships
/// <c>tokenizer.model</c>) followed by 256 special tokens whose ids start right after the last rank
/// (with Meta's 128000 ranks: <c>&lt;|begin_of_text|&gt;</c> = 128000, <c>&lt;|end_of_text|&gt;</c> = 128001,
/// <c>&lt;|eot_id|&gt;</c> = 128009). Encoding goes through Microsoft.ML.Tokenizers' TiktokenTokenizer with Llama 3's
/// pre-tokenizer regex; decoding joins the token bytes here so that a split UTF-8 character shows as U+FFFD.
/// The same ranks and special ids are read from a Hugging Face <c>tokenizer.json</c> (<see cref="HfTokenizerJson"/>),
/// whose <c>added_tokens</c> give the special ids explicitly.
/// </summary>
public sealed partial class Llama3Tokenizer : ITextTokenizer
{
    public const int SpecialTokenCount = 256;

    public const string PreTokenizerPattern =
        @"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+";

    private readonly TiktokenTokenizer _tokenizer;
    private readonly byte[][] _bytes;
    private readonly int _endOfText;
    private readonly int _eot;

    private Llama3Tokenizer(TiktokenTokenizer tokenizer, byte[][] bytes, IReadOnlyDictionary<string, int> specials, string path)
    {
        _tokenizer = tokenizer;
        _bytes = bytes;
        int Special(string name) => specials.TryGetValue(name, out var id) ? id
            : throw new InvalidDataException($"{path}: no special token {name}");
        BosId = Special("<|begin_of_text|>");
        _endOfText = Special("<|end_of_text|>");
        _eot = Special("<|eot_id|>");
        Specials = specials;
        VocabSize = Math.Max(bytes.Length, specials.Values.DefaultIfEmpty(0).Max() + 1);
    }

    public int? BosId { get; }

    /// <summary>Ranks plus special tokens: the smallest vocabulary a model using this tokenizer may have.</summary>
    public int VocabSize { get; }

    /// <summary>The ids of the ranks' byte sequences, for checking two tokenizer files against each other.</summary>
    public IReadOnlyList<byte[]> Ranks => _bytes;

    /// <summary>Special tokens by name.</summary>
    public IReadOnlyDictionary<string, int> Specials { get; }

    public int EndOfTextId => _endOfText;

    public int EotId => _eot;

    [GeneratedRegex(PreTokenizerPattern, RegexOptions.CultureInvariant)]
    private static partial Regex PreTokenizerRegex();

    /// <summary>The special tokens' names by offset from the first special id, as Llama 3.1 names them.</summary>
    public static IReadOnlyList<string> SpecialTokenNames { get; } = BuildSpecialNames();

    private static string[] BuildSpecialNames()
    {
        var names = new string[SpecialTokenCount];
        string[] named = ["<|begin_of_text|>", "<|end_of_text|>", "<|reserved_special_token_0|>", "<|reserved_special_token_1|>",
            "<|finetune_right_pad_id|>", "<|reserved_special_token_2|>", "<|start_header_id|>", "<|end_header_id|>",
            "<|eom_id|>", "<|eot_id|>", "<|python_tag|>"];
        named.CopyTo(names, 0);
        for (var i = named.Length; i < names.Length; i++)
            names[i] = string.Create(CultureInfo.InvariantCulture, $"<|reserved_special_token_{i - named.Length + 3}|>");
        return names;
    }

    /// <summary>Loads a tiktoken file (Meta's <c>tokenizer.model</c>; special ids follow the last rank) or, for a path
    /// ending in <c>.json</c>, a Hugging Face <c>tokenizer.json</c>.</summary>
    public static Llama3Tokenizer Load(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (path.EndsWith(".json", StringComparison.OrdinalIgnoreCase))
        {
            var json = HfTokenizerJson.Read(path, PreTokenizerPattern);
            return Create(json.Ranks.ToArray(), json.Specials, path);
        }
        var bytes = ReadRanks(path);
        var specials = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < SpecialTokenCount; i++) specials[SpecialTokenNames[i]] = bytes.Length + i;
        return Create(bytes, specials, path);
    }

    private static Llama3Tokenizer Create(byte[][] bytes, IReadOnlyDictionary<string, int> specials, string path)
    {
        using var stream = new MemoryStream();
        using (var writer = new StreamWriter(stream, new UTF8Encoding(false), leaveOpen: true) { NewLine = "\n" })
        {
            for (var i = 0; i < bytes.Length; i++)
                writer.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{Convert.ToBase64String(bytes[i])} {i}"));
        }
        stream.Position = 0;
        var special = specials.ToDictionary(StringComparer.Ordinal);
        var tokenizer = TiktokenTokenizer.Create(stream, new RegexPreTokenizer(PreTokenizerRegex(), special), null, special);
        return new Llama3Tokenizer(tokenizer, bytes, specials, path);
    }

    private static byte[][] ReadRanks(string path)
    {
        var byRank = new Dictionary<int, byte[]>();
        foreach (var line in File.ReadLines(path))
        {
            if (line.Length == 0) continue;
            var space = line.IndexOf(' ', StringComparison.Ordinal);
            if (space <= 0 || !int.TryParse(line.AsSpan(space + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var rank))
                throw new InvalidDataException($"{path}: not a tiktoken BPE file (line '{Truncate(line)}')");
            try
            {
                byRank[rank] = Convert.FromBase64String(line[..space]);
            }
            catch (FormatException)
            {
                throw new InvalidDataException($"{path}: bad base64 token in line '{Truncate(line)}'");
            }
        }
        if (byRank.Count == 0) throw new InvalidDataException($"{path}: empty tokenizer file");
        var result = new byte[byRank.Count][];
        foreach (var (rank, b) in byRank)
        {
            if (rank >= result.Length) throw new InvalidDataException($"{path}: ranks are not 0..{result.Length - 1}");
            result[rank] = b;
        }
        return result;
    }

    private static string Truncate(string s) => s.Length > 40 ? s[..40] + "…" : s;

    public IReadOnlyList<int> Encode(string text, bool addBos)
    {
        var ids = _tokenizer.EncodeToIds(text);
        if (!addBos) return ids;
        var withBos = new List<int>(ids.Count + 1) { BosId!.Value };
        withBos.AddRange(ids);
        return withBos;
    }

    public string Decode(IReadOnlyList<int> ids)
    {
        ArgumentNullException.ThrowIfNull(ids);
        var buffer = new List<byte>(ids.Count * 4);
        foreach (var id in ids)
        {
            if (id >= 0 && id < _bytes.Length) buffer.AddRange(_bytes[id]);
        }
        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    public bool IsEndOfSequence(int id) => id == _endOfText || id == _eot;

    /// <summary>Writes a tiktoken-format file: one <c>base64(token) rank</c> line per token, in rank order.</summary>
    public static void WriteModelFile(string path, IReadOnlyList<byte[]> tokens)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        using var writer = new StreamWriter(path, false, new UTF8Encoding(false)) { NewLine = "\n" };
        for (var i = 0; i < tokens.Count; i++)
            writer.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{Convert.ToBase64String(tokens[i])} {i}"));
    }
}
