using System.Diagnostics;

namespace EngineImage.Kernels;

/// <summary>
/// Wall time per model operator (matmuls by layer kind, attention, norms, rope, cache, sampling), for
/// <c>engine bench --profile</c>. Off unless <see cref="Enabled"/>: a disabled <see cref="Time"/> is a field read.
/// libtorch's CPU operators are synchronous, so the wall time around a call is that operator's time.
/// Not thread safe: the model runs one call at a time.
/// </summary>
public static class OpProfile
{
    private static readonly Dictionary<string, (long Ticks, long Calls)> Totals = [];

    public static bool Enabled { get; set; }

    public static Scope Time(string op) => new(Enabled ? op : null);

    public static void Reset() => Totals.Clear();

    /// <summary>Operator, total seconds and calls since the last <see cref="Reset"/>, slowest first.</summary>
    public static IReadOnlyList<(string Op, double Seconds, long Calls)> Snapshot() =>
        Totals.Select(p => (p.Key, p.Value.Ticks / (double)Stopwatch.Frequency, p.Value.Calls)).OrderByDescending(p => p.Item2).ToList();

    public readonly struct Scope : IDisposable
    {
        private readonly string? _op;
        private readonly long _started;

        internal Scope(string? op)
        {
            _op = op;
            _started = op is null ? 0 : Stopwatch.GetTimestamp();
        }

        public void Dispose()
        {
            if (_op is null) return;
            var elapsed = Stopwatch.GetTimestamp() - _started;
            Totals[_op] = Totals.TryGetValue(_op, out var t) ? (t.Ticks + elapsed, t.Calls + 1) : (elapsed, 1);
        }
    }
}
