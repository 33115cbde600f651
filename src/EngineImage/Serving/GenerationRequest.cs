using System.Diagnostics;
using System.Threading.Channels;
using EngineImage.Inference;

namespace EngineImage.Serving;

/// <summary>
/// One generation request travelling through the <see cref="EngineLoop"/>. The loop thread writes the chosen tokens
/// into <see cref="Tokens"/> as they are produced and completes it once the request leaves its slot, after setting
/// <see cref="Finish"/>; the reader never waits on the loop and the loop never waits on a reader.
/// </summary>
public sealed class GenerationRequest
{
    private readonly Channel<int> _tokens = Channel.CreateUnbounded<int>(
        new UnboundedChannelOptions { SingleReader = true, SingleWriter = true, AllowSynchronousContinuations = false });

    public GenerationRequest(string id, IReadOnlyList<int> promptTokens, int maxTokens, SamplingParams sampling, CancellationToken aborted)
    {
        ArgumentNullException.ThrowIfNull(promptTokens);
        ArgumentOutOfRangeException.ThrowIfZero(promptTokens.Count);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxTokens);
        Id = id;
        PromptTokens = promptTokens;
        MaxTokens = maxTokens;
        Sampling = sampling;
        Aborted = aborted;
        EnqueuedAt = Stopwatch.GetTimestamp();
    }

    public string Id { get; }

    public IReadOnlyList<int> PromptTokens { get; }

    public int MaxTokens { get; }

    public SamplingParams Sampling { get; }

    /// <summary>Signalled when the client goes away; the loop then frees the slot.</summary>
    public CancellationToken Aborted { get; }

    public ChannelReader<int> Tokens => _tokens.Reader;

    /// <summary>Set (before <see cref="Tokens"/> completes) when the request leaves the engine.</summary>
    public FinishReason? Finish { get; private set; }

    public Exception? Error { get; private set; }

    /// <summary>Tokens emitted so far (end-of-sequence not counted).</summary>
    public int Generated { get; private set; }

    /// <summary><see cref="Stopwatch"/> timestamps of the request's life, 0 while not reached.</summary>
    public long EnqueuedAt { get; }

    public long AdmittedAt { get; private set; }

    public long FirstTokenAt { get; private set; }

    public long FinishedAt { get; private set; }

    public TimeSpan TimeToFirstToken => FirstTokenAt == 0 ? TimeSpan.Zero : Stopwatch.GetElapsedTime(EnqueuedAt, FirstTokenAt);

    /// <summary>Mean time per output token after the first; zero for fewer than two tokens.</summary>
    public TimeSpan TimePerOutputToken =>
        Generated < 2 || FinishedAt == 0 ? TimeSpan.Zero : Stopwatch.GetElapsedTime(FirstTokenAt, FinishedAt) / (Generated - 1);

    public TimeSpan QueueDuration => AdmittedAt == 0 ? TimeSpan.Zero : Stopwatch.GetElapsedTime(EnqueuedAt, AdmittedAt);

    public TimeSpan Duration => FinishedAt == 0 ? TimeSpan.Zero : Stopwatch.GetElapsedTime(EnqueuedAt, FinishedAt);

    public bool Succeeded => Finish is FinishReason.EndOfSequence or FinishReason.MaxTokens or FinishReason.CacheLimit;

    internal void MarkAdmitted() => AdmittedAt = Stopwatch.GetTimestamp();

    internal void Emit(int token)
    {
        if (Generated == 0) FirstTokenAt = Stopwatch.GetTimestamp();
        Generated++;
        _tokens.Writer.TryWrite(token);
    }

    internal void Complete(FinishReason reason, Exception? error = null)
    {
        if (Finish is not null) return;
        FinishedAt = Stopwatch.GetTimestamp();
        Finish = reason;
        Error = error;
        _tokens.Writer.TryComplete();
    }
}
