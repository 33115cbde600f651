namespace EngineImage.Inference;

/// <summary>
/// A loaded model with its KV cache preallocated for <see cref="Slots"/> decode slots of <see cref="MaxCacheLength"/>
/// positions each. Not thread safe: one call at a time (the serving loop owns it).
/// </summary>
public interface IInferenceModel : IDisposable
{
    ModelDescription Description { get; }

    int Slots { get; }

    int MaxCacheLength { get; }

    /// <summary>Runs <paramref name="tokens"/> through the model into <paramref name="slot"/>'s cache positions
    /// [0, tokens.Length), replacing whatever the slot held, and returns the next token chosen from the last position.</summary>
    int Prefill(int slot, ReadOnlySpan<int> tokens, SamplingParams sampling);

    /// <summary>One batched decode step: row i feeds <paramref name="tokens"/>[i] at position <paramref name="positions"/>[i]
    /// of slot <paramref name="slots"/>[i] and returns the next token for each row.</summary>
    int[] Decode(ReadOnlySpan<int> slots, ReadOnlySpan<int> tokens, ReadOnlySpan<int> positions, IReadOnlyList<SamplingParams> sampling);
}
