using System.Text;
using Orchestrator.Cli;

namespace EndToEnd.Tests.Cli;

public sealed class SseReaderTests
{
    [Fact]
    public async Task ReadAsync_EventsWithIdsCommentsAndEnd_AreParsedInOrder()
    {
        const string stream = ": keep-alive\n\nid: 7\ndata: {\"id\":7}\n\nid: 8\ndata: line one\ndata: line two\n\nevent: end\ndata:\n\n";
        var events = new List<SseEvent>();
        await foreach (var e in SseReader.ReadAsync(new MemoryStream(Encoding.UTF8.GetBytes(stream)), CancellationToken.None)) events.Add(e);

        Assert.Equal(
            [new SseEvent("message", "7", "{\"id\":7}"), new SseEvent("message", "8", "line one\nline two"), new SseEvent("end", "8", "")],
            events);
    }
}
