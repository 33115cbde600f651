using System.Globalization;

namespace EngineImage.Benchmarking;

/// <summary>Prints the benchmark as readable tables, with the targets of issue 2 marked met or missed.</summary>
public sealed class BenchReport(TextWriter output)
{
    private const double BatchingTarget = 5.0;
    private const double BandwidthTarget = 0.60;
    private const double Int8BytesTarget = 0.55;

    public void Context(IReadOnlyList<string> machine, BenchOptions options)
    {
        ArgumentNullException.ThrowIfNull(machine);
        ArgumentNullException.ThrowIfNull(options);
        output.WriteLine("== engine bench ==");
        foreach (var line in machine) output.WriteLine(line);
        output.WriteLine(Invariant($"model       {options.ModelName} {options.Size}, {options.CheckpointPath}"));
        output.WriteLine(Invariant($"workload    {options.Requests} requests per row, prompt {options.PromptTokens} tokens, {options.MaxTokens} output tokens each, cache {options.MaxCacheLength}, slots {options.Concurrency.Max()}"));
        output.WriteLine();
        output.Flush();
    }

    public void Bandwidth(BandwidthBound bound)
    {
        ArgumentNullException.ThrowIfNull(bound);
        output.WriteLine(Invariant($"bandwidth bound: {bound.Matrices} bf16 matrix-vector products over {bound.Bytes / 1e6:F1} MB take {bound.Seconds * 1e3:F2} ms median ({bound.GigabytesPerSecond:F1} GB/s), {bound.FastestSeconds * 1e3:F2} ms fastest ({bound.FastestGigabytesPerSecond:F1} GB/s)"));
        output.WriteLine();
        output.WriteLine(Invariant($"{"config",-8} {"conc",4} {"tok/s",9} {"TTFT p50",10} {"TTFT p99",10} {"TPOT p50",10} {"TPOT p99",10}"));
        output.Flush();
    }

    public void Rows(ConfigRun run)
    {
        ArgumentNullException.ThrowIfNull(run);
        foreach (var r in run.Results)
        {
            output.WriteLine(Invariant($"{run.Config.Name,-8} {r.Concurrency,4} {r.TokensPerSecond,9:F1} {Ms(r.TtftP50),10} {Ms(r.TtftP99),10} {Ms(r.TpotP50),10} {Ms(r.TpotP99),10}"));
        }
        output.Flush();
    }

    public void Summary(IReadOnlyList<ConfigRun> runs, BandwidthBound bound)
    {
        ArgumentNullException.ThrowIfNull(runs);
        ArgumentNullException.ThrowIfNull(bound);
        output.WriteLine();
        output.WriteLine(Invariant($"{"config",-8} {"weights MB",11} {"KV cache MB",12} {"dtype",6}"));
        foreach (var run in runs)
            output.WriteLine(Invariant($"{run.Config.Name,-8} {run.Description.WeightBytes / 1e6,11:F1} {run.Description.KvCacheBytes / 1e6,12:F1} {run.Description.ComputeDType,6}"));
        output.WriteLine();

        var bf16 = runs.FirstOrDefault(r => r.Config.Name == "bf16");
        if (bf16 is null)
        {
            output.WriteLine("(no bf16 run: ratios against bf16 skipped)");
            return;
        }
        var concurrencies = bf16.Results.Select(r => r.Concurrency).ToList();
        var (low, high) = (concurrencies.Min(), concurrencies.Max());
        if (bf16.At(low) is { } serial && bf16.At(high) is { } batched)
        {
            var speedup = batched.TokensPerSecond / serial.TokensPerSecond;
            Target($"continuous batching: {serial.Requests} requests at concurrency {high} vs one at a time: {batched.TokensPerSecond:F1} vs {serial.TokensPerSecond:F1} tok/s = {speedup:F2}x", speedup >= BatchingTarget, $">= {BatchingTarget}x");
        }
        if (bf16.At(1) is { } single)
        {
            var efficiency = bound.Seconds / single.TpotP50;
            var best = bound.FastestSeconds / single.TpotMin;
            Target($"batch-1 decode: TPOT p50 {single.TpotP50 * 1e3:F2} ms vs bound {bound.Seconds * 1e3:F2} ms = {efficiency:P0} of the bandwidth bound (fastest vs fastest: {single.TpotMin * 1e3:F2} vs {bound.FastestSeconds * 1e3:F2} ms = {best:P0})", efficiency >= BandwidthTarget, $">= {BandwidthTarget:P0}");
        }
        foreach (var (name, select, label) in new (string, Func<ConfigRun, long>, string)[]
                 {
                     ("int8w", r => r.Description.WeightBytes, "weight bytes"),
                     ("int8kv", r => r.Description.KvCacheBytes, "KV cache bytes"),
                 })
        {
            if (runs.FirstOrDefault(r => r.Config.Name == name) is not { } quantized) continue;
            var ratio = (double)select(quantized) / select(bf16);
            Target($"{name}: {label} {ratio:F3}x bf16", ratio <= Int8BytesTarget, $"<= {Int8BytesTarget}x");
            foreach (var c in new[] { low, high })
            {
                if (quantized.At(c) is { } q && bf16.At(c) is { } b)
                    output.WriteLine(Invariant($"         speed at concurrency {c}: {q.TokensPerSecond:F1} vs bf16 {b.TokensPerSecond:F1} tok/s = {q.TokensPerSecond / b.TokensPerSecond:F2}x"));
            }
        }
        output.Flush();
    }

    private void Target(string text, bool met, string target) =>
        output.WriteLine(Invariant($"{(met ? "MET   " : "MISSED")} {text} (target {target})"));

    private static string Ms(double seconds) => double.IsNaN(seconds) ? "-" : Invariant($"{seconds * 1e3:F1} ms");

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
