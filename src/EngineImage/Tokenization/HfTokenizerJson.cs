using System.Text.Json;

namespace EngineImage.Tokenization;

/// <summary>
/// A Hugging Face <c>tokenizer.json</c> of the byte-level BPE kind Llama 3 publishes: model <c>BPE</c> whose vocabulary
/// strings are bytes in GPT-2's byte-to-unicode alphabet, a <c>Split</c> pre-tokenizer with Llama 3's regex followed by
/// <c>ByteLevel</c>, and <c>added_tokens</c> for the special tokens. Read into tiktoken ranks (token bytes by id) and
/// special ids: with merges in the order of the ids they produce (as transformers' tiktoken converter writes them),
/// BPE by merge order and tiktoken's BPE by rank give the same tokens. Any other kind is refused by name.
/// </summary>
public sealed record HfTokenizerJson(IReadOnlyList<byte[]> Ranks, IReadOnlyDictionary<string, int> Specials)
{
    public const string FileName = "tokenizer.json";

    public static HfTokenizerJson Read(string path, string expectedPattern)
    {
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllBytes(path));
            var root = doc.RootElement;
            var model = root.GetProperty("model");
            var type = model.TryGetProperty("type", out var t) ? t.GetString() : null;
            if (type != "BPE") throw new InvalidDataException($"{path}: unsupported tokenizer model type {type ?? "(none)"} (Llama 3's is BPE)");
            CheckPreTokenizer(root, path, expectedPattern);
            var ranks = ReadVocabulary(model.GetProperty("vocab"), path);
            CheckMerges(model, ranks, path);
            var specials = new Dictionary<string, int>(StringComparer.Ordinal);
            if (root.TryGetProperty("added_tokens", out var added))
            {
                foreach (var token in added.EnumerateArray())
                    specials[token.GetProperty("content").GetString()!] = token.GetProperty("id").GetInt32();
            }
            var bytes = new byte[ranks.Count][];
            foreach (var (piece, id) in ranks) bytes[id] = piece;
            return new HfTokenizerJson(bytes, specials);
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            throw new InvalidDataException($"{path}: not a Hugging Face tokenizer.json ({e.Message})", e);
        }
    }

    private static void CheckPreTokenizer(JsonElement root, string path, string expectedPattern)
    {
        var pre = root.GetProperty("pre_tokenizer");
        var steps = pre.GetProperty("type").GetString() == "Sequence" ? pre.GetProperty("pretokenizers").EnumerateArray().ToList() : [pre];
        var kinds = steps.Select(s => s.GetProperty("type").GetString()).ToList();
        if (kinds is not ["Split", "ByteLevel"])
            throw new InvalidDataException($"{path}: unsupported pre-tokenizer {string.Join("+", kinds)} (Llama 3's is Split+ByteLevel)");
        var pattern = steps[0].GetProperty("pattern");
        var regex = pattern.TryGetProperty("Regex", out var r) ? r.GetString() : null;
        if (regex != expectedPattern) throw new InvalidDataException($"{path}: the pre-tokenizer's split pattern is not Llama 3's");
        if (steps[1].TryGetProperty("add_prefix_space", out var prefix) && prefix.GetBoolean())
            throw new InvalidDataException($"{path}: unsupported ByteLevel add_prefix_space: true");
    }

    private static Dictionary<byte[], int> ReadVocabulary(JsonElement vocab, string path)
    {
        var ranks = new Dictionary<byte[], int>(ByteArrayComparer.Instance);
        foreach (var entry in vocab.EnumerateObject())
        {
            var bytes = ByteLevel.Decode(entry.Name) ?? throw new InvalidDataException($"{path}: vocabulary entry '{entry.Name}' is not byte-level");
            ranks[bytes] = entry.Value.GetInt32();
        }
        var ids = ranks.Values.Order().ToList();
        if (ids.Count == 0 || ids[0] != 0 || ids[^1] != ids.Count - 1) throw new InvalidDataException($"{path}: vocabulary ids are not 0..{ids.Count - 1}");
        return ranks;
    }

    // BPE applies the earliest merge first, tiktoken the lowest-ranked result: they agree when every merge's result is
    // in the vocabulary and the results' ids never decrease along the list.
    private static void CheckMerges(JsonElement model, Dictionary<byte[], int> ranks, string path)
    {
        var last = -1;
        var index = 0;
        foreach (var merge in model.GetProperty("merges").EnumerateArray())
        {
            var (left, right) = merge.ValueKind == JsonValueKind.Array
                ? (merge[0].GetString()!, merge[1].GetString()!)
                : Split(merge.GetString()!, path);
            var bytes = ByteLevel.Decode(left + right);
            if (bytes is null || !ranks.TryGetValue(bytes, out var id))
                throw new InvalidDataException($"{path}: merge {index} ('{left}' '{right}') makes a token that is not in the vocabulary");
            if (id < last) throw new InvalidDataException($"{path}: merge {index} ('{left}' '{right}') is out of rank order, which tiktoken-style encoding needs");
            last = id;
            index++;
        }
    }

    private static (string, string) Split(string merge, string path)
    {
        var space = merge.IndexOf(' ', StringComparison.Ordinal);
        if (space <= 0) throw new InvalidDataException($"{path}: malformed merge '{merge}'");
        return (merge[..space], merge[(space + 1)..]);
    }

    /// <summary>Writes a tokenizer.json of this kind from ranks and special tokens, deriving every merge
    /// (each split of a token into two tokens of lower rank, ordered by the token's rank), as transformers'
    /// <c>TikTokenConverter</c> does.</summary>
    public static void Write(string path, IReadOnlyList<byte[]> ranks, IReadOnlyDictionary<string, int> specials, string pattern)
    {
        ArgumentNullException.ThrowIfNull(ranks);
        ArgumentNullException.ThrowIfNull(specials);
        var byBytes = new Dictionary<byte[], int>(ByteArrayComparer.Instance);
        for (var i = 0; i < ranks.Count; i++) byBytes[ranks[i]] = i;
        using var stream = File.Create(path);
        using var json = new Utf8JsonWriter(stream);
        json.WriteStartObject();
        json.WriteString("version", "1.0");
        json.WriteNull("truncation");
        json.WriteNull("padding");
        json.WriteStartArray("added_tokens");
        foreach (var (content, id) in specials.OrderBy(s => s.Value))
        {
            json.WriteStartObject();
            json.WriteNumber("id", id);
            json.WriteString("content", content);
            json.WriteBoolean("single_word", false);
            json.WriteBoolean("lstrip", false);
            json.WriteBoolean("rstrip", false);
            json.WriteBoolean("normalized", false);
            json.WriteBoolean("special", true);
            json.WriteEndObject();
        }
        json.WriteEndArray();
        json.WriteNull("normalizer");
        json.WriteStartObject("pre_tokenizer");
        json.WriteString("type", "Sequence");
        json.WriteStartArray("pretokenizers");
        json.WriteStartObject();
        json.WriteString("type", "Split");
        json.WriteStartObject("pattern");
        json.WriteString("Regex", pattern);
        json.WriteEndObject();
        json.WriteString("behavior", "Isolated");
        json.WriteBoolean("invert", false);
        json.WriteEndObject();
        json.WriteStartObject();
        json.WriteString("type", "ByteLevel");
        json.WriteBoolean("add_prefix_space", false);
        json.WriteBoolean("trim_offsets", true);
        json.WriteBoolean("use_regex", false);
        json.WriteEndObject();
        json.WriteEndArray();
        json.WriteEndObject();
        json.WriteStartObject("decoder");
        json.WriteString("type", "ByteLevel");
        json.WriteBoolean("add_prefix_space", true);
        json.WriteBoolean("trim_offsets", true);
        json.WriteBoolean("use_regex", true);
        json.WriteEndObject();
        json.WriteStartObject("model");
        json.WriteString("type", "BPE");
        json.WriteNull("dropout");
        json.WriteNull("unk_token");
        json.WriteNull("continuing_subword_prefix");
        json.WriteNull("end_of_word_suffix");
        json.WriteBoolean("fuse_unk", false);
        json.WriteBoolean("byte_fallback", false);
        json.WriteBoolean("ignore_merges", true);
        json.WriteStartObject("vocab");
        for (var i = 0; i < ranks.Count; i++) json.WriteNumber(ByteLevel.Encode(ranks[i]), i);
        json.WriteEndObject();
        json.WriteStartArray("merges");
        for (var i = 0; i < ranks.Count; i++)
        {
            var token = ranks[i];
            var splits = new List<(int Left, int Right, int Split)>();
            for (var s = 1; s < token.Length; s++)
            {
                if (byBytes.TryGetValue(token[..s], out var l) && byBytes.TryGetValue(token[s..], out var r))
                    splits.Add((l, r, s));
            }
            foreach (var (_, _, s) in splits.OrderBy(x => x.Left).ThenBy(x => x.Right))
                json.WriteStringValue(ByteLevel.Encode(token[..s]) + " " + ByteLevel.Encode(token[s..]));
        }
        json.WriteEndArray();
        json.WriteEndObject();
        json.WriteEndObject();
    }

    private sealed class ByteArrayComparer : IEqualityComparer<byte[]>
    {
        public static readonly ByteArrayComparer Instance = new();

        public bool Equals(byte[]? x, byte[]? y) => x.AsSpan().SequenceEqual(y);

        public int GetHashCode(byte[] obj)
        {
            var hash = new HashCode();
            hash.AddBytes(obj);
            return hash.ToHashCode();
        }
    }
}
