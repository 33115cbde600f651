using System.Collections.Concurrent;
using Contracts.Protocol;
using Runner.Agent;

namespace Runner.Tests.Agent;

public sealed class LogBatcherTests
{
    [Fact]
    public async Task Write_ManyLinesAtOnce_ShipsBatchesOfAtMostHundredInSequence()
    {
        var batches = new ConcurrentQueue<IReadOnlyList<LogLine>>();
        var batcher = new LogBatcher((lines, _) => { batches.Enqueue(lines); return Task.CompletedTask; }, new SecretMasker(), TimeProvider.System);

        for (var i = 1; i <= 250; i++)
        {
            batcher.Write($"line {i}");
        }

        await batcher.FlushAsync(TimeSpan.FromSeconds(30));

        Assert.All(batches, b => Assert.InRange(b.Count, 1, 100));
        var all = batches.SelectMany(b => b).ToList();
        Assert.Equal(Enumerable.Range(1, 250).Select(i => (long)i), all.Select(l => l.Sequence));
        Assert.Equal(Enumerable.Range(1, 250).Select(i => $"line {i}"), all.Select(l => l.Text));
        Assert.True(batches.Count >= 3);
    }

    [Fact]
    public async Task Write_FewLines_ShipsThemWithinTheIntervalWithoutAFlush()
    {
        var shipped = new ConcurrentQueue<LogLine>();
        await using var batcher = new LogBatcher(
            (lines, _) => { foreach (var l in lines) { shipped.Enqueue(l); } return Task.CompletedTask; },
            new SecretMasker(), TimeProvider.System, interval: TimeSpan.FromMilliseconds(200));

        batcher.Write("one");
        batcher.Write("two");

        await Eventually.TrueAsync(() => shipped.Count == 2, "both lines to be shipped", TimeSpan.FromSeconds(20));
        Assert.Equal(["one", "two"], shipped.Select(l => l.Text));
    }

    [Fact]
    public async Task Send_FailsTransientlyTwice_ResendsTheSameSequencesAndEveryLineIsStoredOnce()
    {
        var stored = new ConcurrentDictionary<long, string>();
        var calls = 0;
        var batcher = new LogBatcher((lines, _) =>
        {
            if (Interlocked.Increment(ref calls) <= 2)
            {
                // The server stored the batch but the answer was lost: a resend must not duplicate it.
                foreach (var line in lines)
                {
                    stored.TryAdd(line.Sequence, line.Text);
                }

                throw new HttpRequestException("connection reset");
            }

            foreach (var line in lines)
            {
                Assert.True(stored.TryAdd(line.Sequence, line.Text) || stored[line.Sequence] == line.Text);
            }

            return Task.CompletedTask;
        }, new SecretMasker(), TimeProvider.System);

        for (var i = 1; i <= 30; i++)
        {
            batcher.Write($"line {i}");
        }

        await batcher.FlushAsync(TimeSpan.FromSeconds(30));

        Assert.True(calls >= 3);
        Assert.Equal(Enumerable.Range(1, 30).Select(i => (long)i), stored.Keys.Order());
    }

    [Fact]
    public async Task Send_LeaseLost_StopsShippingAndSaysSo()
    {
        var calls = 0;
        var batcher = new LogBatcher(
            (_, _) => { Interlocked.Increment(ref calls); throw new LeaseLostException("409"); },
            new SecretMasker(), TimeProvider.System, interval: TimeSpan.FromMilliseconds(50));

        batcher.Write("first");
        await Eventually.TrueAsync(() => batcher.LeaseLost, "the 409 to be noticed");
        batcher.Write("second");
        await batcher.FlushAsync(TimeSpan.FromSeconds(5));

        Assert.Equal(1, calls);
    }

    [Fact]
    public async Task Write_LineHoldsSecrets_ShipsThemMasked()
    {
        var shipped = new ConcurrentQueue<LogLine>();
        var masker = new SecretMasker();
        masker.Add("s3cret-value");
        var batcher = new LogBatcher(
            (lines, _) => { foreach (var l in lines) { shipped.Enqueue(l); } return Task.CompletedTask; }, masker, TimeProvider.System);

        batcher.Write("token=s3cret-value runner orch_r_abc123DEF and hf_abcdefghijklmnopqrstuvwxyz");
        await batcher.FlushAsync(TimeSpan.FromSeconds(10));

        Assert.Equal("token=*** runner *** and ***", Assert.Single(shipped).Text);
    }
}
