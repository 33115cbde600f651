using EngineImage.Tokenization;

namespace EngineImage.Checkpoints;

/// <summary>
/// The tokenizer files a converted checkpoint carries: <c>tokenizer.model</c> always (JetStream's
/// <c>--tokenizer_path</c>; for Llama the tiktoken file, written from <c>tokenizer.json</c> when the repository has no
/// tiktoken file), and beside it the repository's <c>tokenizer.json</c>, <c>tokenizer_config.json</c> (the chat template)
/// and <c>generation_config.json</c> when present.
/// </summary>
internal static class ConvertedTokenizer
{
    public static readonly string[] ExtraFiles = [HfTokenizerJson.FileName, "tokenizer_config.json", "generation_config.json"];

    /// <summary>Names of the special tokens whose ids a tiktoken <c>tokenizer.model</c> implies by position.</summary>
    private static readonly string[] PositionalSpecials = ["<|begin_of_text|>", "<|end_of_text|>", "<|start_header_id|>", "<|end_header_id|>", "<|eot_id|>"];

    public static IReadOnlyList<string> Extras(string inDir, string tokenizerIn) =>
        ExtraFiles.Select(f => Path.Combine(inDir, f)).Where(f => File.Exists(f) && !SamePath(f, tokenizerIn)).ToList();

    /// <summary>Refuses a Llama repository whose tokenizer files disagree, or whose <c>tokenizer.json</c> has special
    /// ids that a tiktoken file cannot express (they must follow the last rank in Llama 3's order).</summary>
    public static void CheckLlama(string inDir, string tokenizerIn, Llama3Tokenizer tokenizer)
    {
        var json = Path.Combine(inDir, HfTokenizerJson.FileName);
        var fromJson = SamePath(json, tokenizerIn) ? tokenizer : File.Exists(json) ? Load(json) : null;
        if (fromJson is null) return;
        foreach (var name in PositionalSpecials)
        {
            var expected = fromJson.Ranks.Count + IndexOf(name);
            if (!fromJson.Specials.TryGetValue(name, out var id) || id != expected)
                throw new ConvertRefusedException($"{json}: special token {name} is not at id {expected}, where Llama 3's tiktoken layout puts it");
        }
        if (ReferenceEquals(fromJson, tokenizer)) return;
        if (fromJson.Ranks.Count != tokenizer.Ranks.Count)
            throw new ConvertRefusedException($"{json} has {fromJson.Ranks.Count} ranks but {tokenizerIn} has {tokenizer.Ranks.Count}");
        for (var i = 0; i < tokenizer.Ranks.Count; i++)
        {
            if (!fromJson.Ranks[i].AsSpan().SequenceEqual(tokenizer.Ranks[i]))
                throw new ConvertRefusedException($"{json} and {tokenizerIn} disagree on the token with id {i}");
        }
    }

    public static void Write(string tokenizerIn, string tokenizerOut, ITextTokenizer tokenizer)
    {
        if (tokenizer is Llama3Tokenizer llama && tokenizerIn.EndsWith(".json", StringComparison.OrdinalIgnoreCase))
            Llama3Tokenizer.WriteModelFile(tokenizerOut, llama.Ranks);
        else
            File.Copy(tokenizerIn, tokenizerOut, overwrite: true);
    }

    private static Llama3Tokenizer Load(string path)
    {
        try
        {
            return Llama3Tokenizer.Load(path);
        }
        catch (InvalidDataException e)
        {
            throw new ConvertRefusedException($"unreadable {HfTokenizerJson.FileName}: {e.Message}", e);
        }
    }

    private static int IndexOf(string name)
    {
        for (var i = 0; i < Llama3Tokenizer.SpecialTokenNames.Count; i++)
            if (Llama3Tokenizer.SpecialTokenNames[i] == name) return i;
        throw new InvalidOperationException($"{name} is not a Llama 3 special token");
    }

    private static bool SamePath(string a, string b) =>
        string.Equals(Path.GetFullPath(a), Path.GetFullPath(b), StringComparison.Ordinal);
}
