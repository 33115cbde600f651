namespace EngineImage.Serving;

/// <summary>Why a request left its decode slot (or never got one).</summary>
public enum FinishReason
{
    /// <summary>The model chose an end-of-sequence token (not part of the output).</summary>
    EndOfSequence,

    /// <summary>The request's <c>max_tokens</c> were generated.</summary>
    MaxTokens,

    /// <summary>The slot's KV cache is full (<c>max_cache_length</c> positions).</summary>
    CacheLimit,

    /// <summary>The client went away; its slot was freed.</summary>
    Cancelled,

    /// <summary>The server is stopping and cut the request.</summary>
    ShuttingDown,

    /// <summary>The model failed on this request's prefill or decode step.</summary>
    Failed,
}
