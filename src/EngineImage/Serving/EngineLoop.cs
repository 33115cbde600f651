using System.Collections.Concurrent;
using System.Diagnostics;
using EngineImage.Inference;
using Microsoft.Extensions.Logging;

namespace EngineImage.Serving;

/// <summary>
/// Continuous batching as JetStream does it. One dedicated thread owns the model (which is not thread safe): each
/// iteration inserts queued requests into free slots (a prefill each), then runs ONE batched decode step over every
/// active slot, each at its own position. A slot frees on an end-of-sequence token, <c>max_tokens</c>, a full cache,
/// or a client that went away. Requests wait in a bounded queue; a full queue is refused, never grown.
/// </summary>
public sealed class EngineLoop : IDisposable
{
    private readonly IInferenceModel _model;
    private readonly Func<int, bool> _isEndOfSequence;
    private readonly ServingMetrics _metrics;
    private readonly ILogger _logger;
    private readonly BlockingCollection<GenerationRequest> _queue;
    private readonly ActiveSlot?[] _slots;
    private readonly Thread _thread;
    private readonly CancellationTokenSource _closing = new();
    private readonly TaskCompletionSource _stopped = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Lock _submitLock = new();
    private long _cutAt = long.MaxValue;
    private volatile int _active;
    private bool _closed;

    public EngineLoop(IInferenceModel model, Func<int, bool> isEndOfSequence, int queueCapacity, ServingMetrics metrics, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(queueCapacity);
        _model = model;
        _isEndOfSequence = isEndOfSequence;
        _metrics = metrics;
        _logger = logger;
        _queue = new BlockingCollection<GenerationRequest>(new ConcurrentQueue<GenerationRequest>(), queueCapacity);
        _slots = new ActiveSlot?[model.Slots];
        _thread = new Thread(Run) { Name = "engine-loop", IsBackground = true };
    }

    public int Slots => _slots.Length;

    public int MaxCacheLength => _model.MaxCacheLength;

    public int ActiveSlots => _active;

    /// <summary>Requests waiting for a slot (JetStream's prefill backlog).</summary>
    public int Backlog => _queue.Count;

    /// <summary>Completes when the loop thread has exited and every request it held is completed.</summary>
    public Task Stopped => _stopped.Task;

    /// <summary>Positions in use over all slots, for the KV-cache utilisation gauge.</summary>
    public long CachePositionsInUse => _slots.Sum(s => (long?)s?.NextPosition ?? 0);

    public void Start() => _thread.Start();

    public SubmitResult TrySubmit(GenerationRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.PromptTokens.Count > MaxCacheLength)
            throw new ArgumentException($"prompt is {request.PromptTokens.Count} tokens; the cache holds {MaxCacheLength}", nameof(request));
        lock (_submitLock)
        {
            if (_closed) return SubmitResult.ShuttingDown;
            return _queue.TryAdd(request) ? SubmitResult.Accepted : SubmitResult.QueueFull;
        }
    }

    /// <summary>Stops taking work: queued requests are refused at once, active ones may finish within
    /// <paramref name="grace"/> and are cut after it. Safe to call more than once.</summary>
    public void BeginShutdown(TimeSpan grace)
    {
        lock (_submitLock)
        {
            if (_closed) return;
            _closed = true;
        }
        Interlocked.Exchange(ref _cutAt, Stopwatch.GetTimestamp() + (long)(grace.TotalSeconds * Stopwatch.Frequency));
        _closing.Cancel();
    }

    public void Dispose()
    {
        BeginShutdown(TimeSpan.Zero);
        if (_thread.IsAlive) _thread.Join();
        _queue.Dispose();
        _closing.Dispose();
    }

    private void Run()
    {
        try
        {
            while (!_closing.IsCancellationRequested || (_active > 0 && Stopwatch.GetTimestamp() < Interlocked.Read(ref _cutAt)))
            {
                try
                {
                    RunOnce();
                }
                catch (Exception e)
                {
                    // A failed step costs the requests in it, never the loop.
                    EngineLoopLog.StepFailed(_logger, e);
                    FinishAll(FinishReason.Failed, e);
                    _closing.Token.WaitHandle.WaitOne(TimeSpan.FromMilliseconds(100));
                }
            }
        }
        finally
        {
            FinishAll(FinishReason.ShuttingDown, null);
            lock (_submitLock) DrainQueue(FinishReason.ShuttingDown);
            _stopped.TrySetResult();
        }
    }

    /// <summary>One iteration: admit into free slots, drop abandoned requests, one batched decode step.</summary>
    private void RunOnce()
    {
        if (_closing.IsCancellationRequested)
            DrainQueue(FinishReason.ShuttingDown);
        else
            Admit();
        ReapAbandoned();
        if (_active == 0)
        {
            WaitForWork();
            return;
        }
        DecodeStep();
    }

    private void Admit()
    {
        for (var slot = 0; slot < _slots.Length && _queue.Count > 0; slot++)
        {
            if (_slots[slot] is not null) continue;
            if (!_queue.TryTake(out var request)) return;
            Insert(slot, request);
        }
    }

    private void WaitForWork()
    {
        try
        {
            if (_queue.TryTake(out var request, Timeout.Infinite, _closing.Token))
                Insert(Array.IndexOf(_slots, null), request);
        }
        catch (OperationCanceledException) when (_closing.IsCancellationRequested)
        {
            // Stopping: the loop condition ends the thread.
        }
    }

    private void Insert(int slot, GenerationRequest request)
    {
        if (request.Aborted.IsCancellationRequested)
        {
            Complete(request, FinishReason.Cancelled, null);
            return;
        }
        request.MarkAdmitted();
        int first;
        try
        {
            first = _model.Prefill(slot, request.PromptTokens.ToArray(), request.Sampling);
        }
        catch (Exception e)
        {
            EngineLoopLog.PrefillFailed(_logger, request.Id, e);
            Complete(request, FinishReason.Failed, e);
            return;
        }
        _slots[slot] = new ActiveSlot(request, request.PromptTokens.Count);
        _active++;
        Accept(slot, first);
    }

    private void DecodeStep()
    {
        var n = _active;
        var slots = new int[n];
        var tokens = new int[n];
        var positions = new int[n];
        var sampling = new SamplingParams[n];
        var row = 0;
        for (var slot = 0; slot < _slots.Length; slot++)
        {
            if (_slots[slot] is not { } active) continue;
            slots[row] = slot;
            tokens[row] = active.LastToken;
            positions[row] = active.NextPosition;
            sampling[row] = active.Request.Sampling;
            row++;
        }
        var next = _model.Decode(slots, tokens, positions, sampling);
        _metrics.DecodeBatchSize.Observe(n);
        for (row = 0; row < n; row++)
        {
            _slots[slots[row]]!.NextPosition++;
            Accept(slots[row], next[row]);
        }
    }

    /// <summary>Takes the token the model chose for <paramref name="slot"/> and frees the slot when the request is done.
    /// The token is fed back at <see cref="ActiveSlot.NextPosition"/> by the next decode step.</summary>
    private void Accept(int slot, int token)
    {
        var active = _slots[slot]!;
        if (_isEndOfSequence(token))
        {
            Free(slot, FinishReason.EndOfSequence, null);
            return;
        }
        active.Request.Emit(token);
        active.LastToken = token;
        if (active.Request.Generated >= active.Request.MaxTokens)
            Free(slot, FinishReason.MaxTokens, null);
        else if (active.NextPosition >= MaxCacheLength)
            Free(slot, FinishReason.CacheLimit, null);
    }

    private void ReapAbandoned()
    {
        for (var slot = 0; slot < _slots.Length; slot++)
        {
            if (_slots[slot] is { } active && active.Request.Aborted.IsCancellationRequested)
                Free(slot, FinishReason.Cancelled, null);
        }
        if (Stopwatch.GetTimestamp() >= Interlocked.Read(ref _cutAt))
            FinishAll(FinishReason.ShuttingDown, null);
    }

    private void Free(int slot, FinishReason reason, Exception? error)
    {
        var active = _slots[slot]!;
        _slots[slot] = null;
        _active--;
        Complete(active.Request, reason, error);
    }

    private void FinishAll(FinishReason reason, Exception? error)
    {
        for (var slot = 0; slot < _slots.Length; slot++)
        {
            if (_slots[slot] is not null) Free(slot, reason, error);
        }
    }

    private void DrainQueue(FinishReason reason)
    {
        while (_queue.TryTake(out var request)) Complete(request, reason, null);
    }

    private void Complete(GenerationRequest request, FinishReason reason, Exception? error)
    {
        request.Complete(reason, error);
        _metrics.RequestFinished(request);
    }

    /// <summary>A request in a decode slot. Only the loop thread touches it.</summary>
    private sealed class ActiveSlot(GenerationRequest request, int nextPosition)
    {
        public GenerationRequest Request { get; } = request;

        /// <summary>The cache position <see cref="LastToken"/> is written to by the next decode step.</summary>
        public int NextPosition { get; set; } = nextPosition;

        public int LastToken { get; set; }
    }
}
