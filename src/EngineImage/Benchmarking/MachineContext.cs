using System.Runtime.InteropServices;
using TorchSharp;

namespace EngineImage.Benchmarking;

/// <summary>What the figures were measured on, printed above them.</summary>
public static class MachineContext
{
    public static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "unknown";

    public static IReadOnlyList<string> Describe()
    {
        var cpu = File.Exists("/proc/cpuinfo")
            ? File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim()
            : null;
        var flags = File.Exists("/proc/cpuinfo")
            ? File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("flags", StringComparison.Ordinal)) ?? ""
            : "";
        var memory = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / (1L << 30);
        return
        [
            $"date        {DateTimeOffset.UtcNow:yyyy-MM-dd HH:mm} UTC",
            $"cpu         {cpu ?? RuntimeInformation.ProcessArchitecture.ToString()} ({Environment.ProcessorCount} logical cores visible)",
            $"cpu flags   avx512f={flags.Contains(" avx512f", StringComparison.Ordinal)} avx512_bf16={flags.Contains(" avx512_bf16", StringComparison.Ordinal)} amx_bf16={flags.Contains(" amx_bf16", StringComparison.Ordinal)}",
            $"memory      {memory} GiB",
            $"runtime     .NET {Environment.Version}, TorchSharp {typeof(torch).Assembly.GetName().Version}, torch threads {torch.get_num_threads()}",
            $"os          {RuntimeInformation.OSDescription}",
            $"load        {LoadAverage()} (1/5/15-minute load average at start: other work on the machine skews every figure)",
        ];
    }
}
