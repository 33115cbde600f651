using System.Runtime.CompilerServices;
using System.Text;

namespace Orchestrator.Cli;

/// <summary>Reads a <c>text/event-stream</c> (WHATWG HTML "server-sent events") into events; comments are skipped.</summary>
public static class SseReader
{
    public static async IAsyncEnumerable<SseEvent> ReadAsync(Stream stream, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var reader = new StreamReader(stream, Encoding.UTF8);
        var data = new StringBuilder();
        string? eventName = null;
        string? id = null;
        var hasData = false;
        while (await reader.ReadLineAsync(cancellationToken) is { } line)
        {
            if (line.Length == 0)
            {
                if (hasData || eventName is not null)
                    yield return new SseEvent(eventName ?? "message", id, data.ToString());
                data.Clear();
                eventName = null;
                hasData = false;
                continue;
            }
            if (line[0] == ':') continue;
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            var field = colon < 0 ? line : line[..colon];
            var value = colon < 0 ? "" : line[(colon + 1)..];
            if (value.StartsWith(' ')) value = value[1..];
            switch (field)
            {
                case "data":
                    if (hasData) data.Append('\n');
                    data.Append(value);
                    hasData = true;
                    break;
                case "event":
                    eventName = value;
                    break;
                case "id":
                    id = value;
                    break;
                default:
                    break;
            }
        }
    }
}
