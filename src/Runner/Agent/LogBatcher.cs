using System.Threading.Channels;
using Contracts.Protocol;

namespace Runner.Agent;

/// <summary>
/// Ships a step's log lines in batches of up to <c>maxLines</c> or every <c>interval</c>, whichever comes first.
/// Each line gets its per-attempt sequence number when written, so a batch resent after a transient error is stored
/// once. A 409 (lease lost) stops shipping; the work is being stopped anyway. Every line is masked (whole, before it
/// is cut to 8,192 characters); once the masker knows a value, the latest line waits for the next one, or for the
/// interval to pass, so that a value written across two lines is masked in both (<see cref="SecretMasker.MaskAcross"/>).
/// </summary>
internal sealed class LogBatcher : IStepLog, IAsyncDisposable
{
    private readonly Channel<LogLine> _lines = Channel.CreateUnbounded<LogLine>(new() { SingleReader = true });
    private readonly Func<IReadOnlyList<LogLine>, CancellationToken, Task> _send;
    private readonly SecretMasker _masker;
    private readonly TimeProvider _time;
    private readonly int _maxLines;
    private readonly TimeSpan _interval;
    private readonly CancellationTokenSource _abandon = new();
    private readonly Task _shipping;
    private const int MaxLineLength = 8192;
    private readonly Lock _gate = new();
    private long _sequence;
    private (string Text, DateTimeOffset At)? _held;

    public LogBatcher(
        Func<IReadOnlyList<LogLine>, CancellationToken, Task> send,
        SecretMasker masker,
        TimeProvider time,
        int maxLines = 100,
        TimeSpan? interval = null)
    {
        _send = send;
        _masker = masker;
        _time = time;
        _maxLines = maxLines;
        _interval = interval ?? TimeSpan.FromMilliseconds(500);
        _shipping = Task.Run(ShipAsync);
    }

    /// <summary>Set when the server answered 409 to a batch.</summary>
    public bool LeaseLost { get; private set; }

    public long LinesWritten => Interlocked.Read(ref _sequence);

    public void Write(string line)
    {
        var now = _time.GetUtcNow();
        lock (_gate)
        {
            if (!_masker.HasValues)
            {
                Enqueue(line, now);
                return;
            }

            // The latest line is held back until the next one comes (or the interval ends): a secret printed across
            // the two is masked in both before either leaves.
            if (_held is { } held)
            {
                var (first, second) = _masker.MaskAcross(held.Text, line);
                Enqueue(first, held.At);
                line = second;
            }

            _held = (line, now);
        }
    }

    /// <summary>Ships what is queued and stops; gives up on what could not be shipped within <paramref name="within"/>.</summary>
    public async Task FlushAsync(TimeSpan within)
    {
        lock (_gate)
        {
            ReleaseHeld();
            _lines.Writer.TryComplete();
        }

        _abandon.CancelAfter(within);
        await _shipping;
    }

    // Masked whole before it is cut, so that a secret across the cut cannot leave half of itself.
    private void Enqueue(string line, DateTimeOffset at)
    {
        var text = _masker.Apply(line);
        text = text.Length <= MaxLineLength ? text : text[..MaxLineLength] + "…";
        // Sequence and enqueue under one lock, so lines are queued in sequence order.
        _lines.Writer.TryWrite(new LogLine(++_sequence, at, text));
    }

    private void ReleaseHeld()
    {
        if (_held is { } held)
        {
            Enqueue(held.Text, held.At);
            _held = null;
        }
    }

    /// <summary>Stops at once, dropping what is queued (the lease is gone: nobody may write to this attempt).</summary>
    public async Task AbandonAsync()
    {
        _lines.Writer.TryComplete();
        await _abandon.CancelAsync();
        await _shipping;
    }

    public async ValueTask DisposeAsync()
    {
        await FlushAsync(TimeSpan.FromSeconds(10));
        _abandon.Dispose();
    }

    private async Task ShipAsync()
    {
        var reader = _lines.Reader;
        var batch = new List<LogLine>(_maxLines);
        try
        {
            while (await WaitOrReleaseAsync(reader))
            {
                await FillAsync(reader, batch);
                await SendWithRetryAsync(batch);
                batch.Clear();
            }
        }
        catch (OperationCanceledException) when (_abandon.IsCancellationRequested)
        {
            // Flush deadline passed or abandoned: the rest is dropped.
        }
        catch (LeaseLostException)
        {
            LeaseLost = true;
        }
    }

    /// <summary>Waits for lines; a line held back is let go once an interval passes with nothing after it.</summary>
    private async Task<bool> WaitOrReleaseAsync(ChannelReader<LogLine> reader)
    {
        while (true)
        {
            using var tick = CancellationTokenSource.CreateLinkedTokenSource(_abandon.Token);
            tick.CancelAfter(_interval);
            try
            {
                return await reader.WaitToReadAsync(tick.Token);
            }
            catch (OperationCanceledException) when (tick.IsCancellationRequested && !_abandon.IsCancellationRequested)
            {
                lock (_gate)
                {
                    ReleaseHeld();
                }
            }
        }
    }

    private async Task FillAsync(ChannelReader<LogLine> reader, List<LogLine> batch)
    {
        using var window = CancellationTokenSource.CreateLinkedTokenSource(_abandon.Token);
        window.CancelAfter(_interval);
        try
        {
            while (batch.Count < _maxLines)
            {
                while (batch.Count < _maxLines && reader.TryRead(out var line))
                {
                    batch.Add(line);
                }

                if (batch.Count >= _maxLines || !await reader.WaitToReadAsync(window.Token))
                {
                    return;
                }
            }
        }
        catch (OperationCanceledException) when (window.IsCancellationRequested && !_abandon.IsCancellationRequested)
        {
            // The interval is over: ship what we have.
        }
    }

    private async Task SendWithRetryAsync(List<LogLine> batch)
    {
        var backoff = new Backoff();
        while (true)
        {
            try
            {
                await _send(batch.ToArray(), _abandon.Token);
                return;
            }
            catch (OrchestratorException)
            {
                // The server refuses this batch for good (e.g. malformed): resending cannot help, later lines still go.
                return;
            }
            catch (Exception e) when (e is not LeaseLostException && OrchestratorClient.IsTransient(e, _abandon.Token))
            {
                await Task.Delay(backoff.Next(), _time, _abandon.Token);
            }
        }
    }
}
