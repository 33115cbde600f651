using System.Globalization;
using Runner.Agent;

namespace Runner.HuggingFace;

/// <summary>The step-log lines of one file's transfer: where it starts, then bytes done of the total at most once per
/// <see cref="Interval"/>, then the end; never one line per chunk.</summary>
internal sealed class TransferProgress(IStepLog log, HubFile file, TimeProvider time)
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(5);
    private long _lastLine = time.GetTimestamp();

    public void Started(long offset) =>
        log.Write(offset > 0
            ? $"{file.Path}: resuming at {Size(offset)} of {Size(file.Size)}"
            : $"{file.Path}: downloading {Size(file.Size)}");

    public void Advanced(long done)
    {
        if (time.GetElapsedTime(_lastLine) < Interval)
        {
            return;
        }

        _lastLine = time.GetTimestamp();
        log.Write($"{file.Path}: {Size(done)} of {Size(file.Size)} ({Percent(done)})");
    }

    public void Finished(string check) => log.Write($"{file.Path}: {Size(file.Size)} done, {check}");

    private string Percent(long done) =>
        file.Size > 0 ? ((double)done / file.Size).ToString("P0", CultureInfo.InvariantCulture) : "100 %";

    public static string Size(long bytes) => bytes switch
    {
        >= 1L << 30 => string.Create(CultureInfo.InvariantCulture, $"{bytes / (double)(1L << 30):F2} GiB"),
        >= 1L << 20 => string.Create(CultureInfo.InvariantCulture, $"{bytes / (double)(1L << 20):F1} MiB"),
        >= 1L << 10 => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1024.0:F1} KiB"),
        _ => $"{bytes} B",
    };
}
