namespace EngineImage.Tokenization;

/// <summary>A tokenizer whose end-of-sequence set also holds a checkpoint's <c>eos_token_id</c> list (from
/// <c>generation_config.json</c>), e.g. Llama 3.1 Instruct's <c>&lt;|eom_id|&gt;</c> 128008 beside the tokenizer's own
/// <c>&lt;|end_of_text|&gt;</c> and <c>&lt;|eot_id|&gt;</c>.</summary>
public sealed class WithEndTokens(ITextTokenizer inner, IReadOnlyList<int> endIds) : ITextTokenizer
{
    private readonly HashSet<int> _ends = [.. endIds];

    public int? BosId => inner.BosId;

    public ITextTokenizer Inner => inner;

    public IReadOnlyList<int> Encode(string text, bool addBos) => inner.Encode(text, addBos);

    public string Decode(IReadOnlyList<int> ids) => inner.Decode(ids);

    public bool IsEndOfSequence(int id) => _ends.Contains(id) || inner.IsEndOfSequence(id);

    /// <summary><paramref name="tokenizer"/> itself when there are no extra end ids.</summary>
    public static ITextTokenizer Wrap(ITextTokenizer tokenizer, IReadOnlyList<int>? endIds) =>
        endIds is { Count: > 0 } ? new WithEndTokens(tokenizer, endIds) : tokenizer;
}
