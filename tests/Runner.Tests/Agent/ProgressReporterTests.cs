using System.Text.Json.Nodes;
using Contracts.Protocol;
using Runner.Agent;
using Runner.Gke;
using Runner.Local;

namespace Runner.Tests.Agent;

/// <summary>What a step reports as its progress: the reporter keeps only the latest, and the readers of the
/// converter's lines and of GKE operations make the numbers.</summary>
public sealed class ProgressReporterTests
{
    [Fact]
    public async Task Reporter_KeepsOnlyTheLatest_WakesAWaiter_AndAFailedSendIsRestoredUnlessOvertaken()
    {
        var progress = new ProgressReporter(TimeProvider.System);
        var next = progress.NextReport();
        Assert.False(next.IsCompleted);

        progress.Report(1, 10, StepProgressUnits.Tensors);
        progress.Report(2, 10, StepProgressUnits.Tensors, new string('x', 400));
        await next.WaitAsync(TimeSpan.FromSeconds(1));
        var sent = progress.TakeUnsent();

        Assert.Equal(2, sent!.Done);
        Assert.Equal(StepProgress.MaxMessageLength, sent.Message!.Length);
        Assert.False(progress.HasUnsent);
        progress.Restore(sent);
        Assert.Same(sent, progress.TakeUnsent());
        progress.Report(3, 10, StepProgressUnits.Tensors);
        progress.Restore(sent);
        Assert.Equal(3, progress.TakeUnsent()!.Done);
    }

    [Theory]
    [InlineData("converted 12/40 tensors (30%)", 12, 40)]
    [InlineData("  converted 40/40 tensors (100%)", 40, 40)]
    public void ConverterLine_IsReadAsTensors(string line, int done, int total) =>
        Assert.Equal((done, total), ConverterProgress.Parse(line));

    [Theory]
    [InlineData("wrote llama-3 tiny (none, engine layout) to /tmp/x")]
    [InlineData("[replica 0] converted 1/2 tensors")]
    [InlineData("converted 1/2 layers")]
    public void OtherLines_AreNotProgress(string line) => Assert.Null(ConverterProgress.Parse(line));

    [Fact]
    public void ConverterOutput_IsLoggedAndReported()
    {
        var log = new Local.RecordingLog();
        var progress = new ProgressReporter(TimeProvider.System);
        var handler = ConverterProgress.Reporting(log, progress);

        handler("loading /models/x");
        handler("converted 5/20 tensors (20%)");

        Assert.Equal(["loading /models/x", "converted 5/20 tensors (20%)"], log.Lines.ToArray());
        Assert.Equal((5d, 20d, "tensors"), (progress.Latest!.Done, progress.Latest.Total!.Value, progress.Latest.Unit));
    }

    [Fact]
    public void Operation_WithoutMetrics_IsSecondsSinceItsStartTime()
    {
        var progress = new ProgressReporter(TimeProvider.System);
        var now = DateTimeOffset.Parse("2026-12-07T10:05:30Z", System.Globalization.CultureInfo.InvariantCulture);
        var operation = new JsonObject { ["operationType"] = "CREATE_CLUSTER", ["status"] = "RUNNING", ["startTime"] = "2026-12-07T10:03:00Z" };

        OperationProgress.Report(progress, operation, "RUNNING", now.AddSeconds(-10), now);

        Assert.Equal((150d, (double?)null, "seconds"), (progress.Latest!.Done, progress.Latest.Total, progress.Latest.Unit));
        Assert.Equal("CREATE_CLUSTER RUNNING, 2m30s elapsed", progress.Latest.Message);
    }

    [Fact]
    public void Operation_WithDoneAndTotalMetrics_IsDoneOfTotal_AndWithoutStartTimeCountsFromTheWait()
    {
        var progress = new ProgressReporter(TimeProvider.System);
        var now = DateTimeOffset.UtcNow;
        var operation = new JsonObject
        {
            ["operationType"] = "CREATE_NODE_POOL",
            ["progress"] = new JsonObject
            {
                ["metrics"] = new JsonArray(
                    new JsonObject { ["name"] = "NODES_TOTAL", ["intValue"] = "4" },
                    new JsonObject { ["name"] = "NODES_DONE", ["intValue"] = "1" }),
            },
        };

        OperationProgress.Report(progress, operation, "RUNNING", now.AddSeconds(-7), now);

        Assert.Equal((1d, 4d, "nodes"), (progress.Latest!.Done, progress.Latest.Total!.Value, progress.Latest.Unit));
        Assert.Equal("CREATE_NODE_POOL RUNNING, 7s elapsed", progress.Latest.Message);
    }
}
