using EngineImage.Inference;
using EngineImage.Tokenization;

namespace EngineImage.Serving;

/// <summary>What a live server answers with: the running loop, its tokenizer and what was loaded.</summary>
public sealed record LiveEngine(
    EngineLoop Loop,
    ITextTokenizer Tokenizer,
    ModelDescription Description,
    double ModelLoadSeconds,
    double StartupSeconds)
{
    public EngineSnapshot Snapshot() => new(
        Loop.Slots,
        Loop.ActiveSlots,
        Loop.Backlog,
        (double)Loop.CachePositionsInUse / ((long)Loop.Slots * Loop.MaxCacheLength),
        ModelLoadSeconds,
        StartupSeconds,
        Description.WeightBytes,
        Description.KvCacheBytes);
}
