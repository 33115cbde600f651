using System.Text.Json;
using Contracts;
using Runner.Processes;

namespace Runner.Local;

/// <summary>
/// <c>ARTIFACTS/…/VARIANT.tmp-ID.owner.json</c>, beside a conversion's temp directory: which runner process runs which
/// converter. A conversion whose runner died (killed mid-step) is abandoned: the next attempt stops its converter and
/// removes its temp directory, so no converter is left orphaned. One that belongs to a live runner is left alone.
/// </summary>
internal sealed record ConversionOwner(int RunnerPid, long RunnerStartTime, int ConverterPid, long ConverterStartTime)
{
    private const string Suffix = ".owner.json";

    public static string PathFor(string tempDir) => tempDir + Suffix;

    public static ConversionOwner? ForCurrentRunner(int converterPid) =>
        ProcStat.StartTime(Environment.ProcessId) is { } runnerStart && ProcStat.StartTime(converterPid) is { } converterStart
            ? new ConversionOwner(Environment.ProcessId, runnerStart, converterPid, converterStart)
            : null;

    public void Save(string tempDir) => AtomicFile.WriteAllText(PathFor(tempDir), JsonSerializer.Serialize(this, ContractJson.Options));

    /// <summary>Stops the converters of conversions into <paramref name="output"/> whose runner is gone and removes
    /// their temp directories; returns what it removed.</summary>
    public static async Task<IReadOnlyList<string>> ReapAbandonedAsync(string output, CancellationToken cancellationToken)
    {
        var parent = Path.GetDirectoryName(output)!;
        if (!Directory.Exists(parent))
        {
            return [];
        }

        var removed = new List<string>();
        foreach (var ownerFile in Directory.EnumerateFiles(parent, $"{Path.GetFileName(output)}.tmp-*{Suffix}"))
        {
            var owner = JsonSerializer.Deserialize<ConversionOwner>(await File.ReadAllTextAsync(ownerFile, cancellationToken), ContractJson.Options);
            if (owner is null || ProcStat.IsAlive(owner.RunnerPid, owner.RunnerStartTime))
            {
                continue;
            }

            var converter = new ProcessRecord { Pid = owner.ConverterPid, StartTime = owner.ConverterStartTime };
            await DetachedProcesses.StopAsync(converter, TimeSpan.FromSeconds(5), cancellationToken);
            var tempDir = ownerFile[..^Suffix.Length];
            if (Directory.Exists(tempDir))
            {
                Directory.Delete(tempDir, recursive: true);
            }

            File.Delete(ownerFile);
            removed.Add(tempDir);
        }

        return removed;
    }
}
