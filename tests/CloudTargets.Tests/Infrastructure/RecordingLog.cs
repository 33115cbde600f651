using Runner.Agent;

namespace CloudTargets.Tests.Infrastructure;

internal sealed class RecordingLog : IStepLog
{
    private readonly Lock _gate = new();
    private readonly List<string> _lines = [];

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
        }
    }
}
