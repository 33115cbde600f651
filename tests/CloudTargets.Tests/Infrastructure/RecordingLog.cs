using Runner.Agent;

namespace CloudTargets.Tests.Infrastructure;

internal sealed class RecordingLog : IStepLog
{
    private readonly Lock _gate = new();
    private readonly List<string> _lines = [];
    private readonly List<TimeSpan> _times = [];
    private readonly System.Diagnostics.Stopwatch _clock = System.Diagnostics.Stopwatch.StartNew();

    /// <summary>Each line with the time it was written, from the log's creation.</summary>
    public IReadOnlyList<(TimeSpan At, string Line)> Timed
    {
        get
        {
            lock (_gate)
            {
                return _times.Zip(_lines).ToList();
            }
        }
    }

    public IReadOnlyList<string> Lines
    {
        get
        {
            lock (_gate)
            {
                return [.. _lines];
            }
        }
    }

    public string Text => string.Join('\n', Lines);

    public void Write(string line)
    {
        lock (_gate)
        {
            _lines.Add(line);
            _times.Add(_clock.Elapsed);
        }
    }
}
