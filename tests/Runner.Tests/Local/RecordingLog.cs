using System.Collections.Concurrent;
using Runner.Agent;

namespace Runner.Tests.Local;

/// <summary>A step log that keeps its lines for assertions.</summary>
internal sealed class RecordingLog : IStepLog
{
    public ConcurrentQueue<string> Lines { get; } = new();

    public void Write(string line) => Lines.Enqueue(line);

    public override string ToString() => string.Join('\n', Lines);
}
