using System.Globalization;

namespace HealthBench;

/// <summary>The figures of one run, printed with the machine's context.</summary>
internal static class Report
{
    public const double TargetPercentOfOneCore = 10;

    public sealed record Figures(int Environments, int Replicas, int IntervalSeconds, double Minutes, Clock.Reading Cpu, Clock.Reading Idle, int IdleSeconds,
        Storage First, Storage Last, Probing Probing, double SampleRowBytes, double RollupRowBytes, int RawRetentionHours, int MinuteRollupDays,
        int FiveMinuteRollupDays, bool HavePostgres);

    public static void Print(Figures f)
    {
        var seconds = f.Minutes * 60;
        var p = f.Probing;
        Console.WriteLine();
        Console.WriteLine($"machine: {Environment.ProcessorCount} cores ({CpuModel()}), {Environment.OSVersion}, load average {File.ReadAllText("/proc/loadavg").Split(' ')[0]}");
        Line($"CPU over {f.Minutes:0.0} min                 cpu s/min   % of one core   (idle: nothing served, {f.IdleSeconds} s)");
        Cpu("watcher (runner run)", f.Cpu.Runner, f.Idle.Runner);
        Cpu("orchestrator serve", f.Cpu.Orchestrator, f.Idle.Orchestrator);
        Cpu("watcher + orchestrator", f.Cpu.Counted, f.Idle.Counted);
        if (f.HavePostgres) Cpu("postgres (all processes)", f.Cpu.Postgres, f.Idle.Postgres);
        else Console.WriteLine("  postgres                 not on this machine (ORCHESTRATOR_TEST_DB elsewhere): not measured");
        Cpu("synthetic engines (not counted)", f.Cpu.Engines, f.Idle.Engines);
        Console.WriteLine();

        var expected = f.Environments * 60.0 / f.IntervalSeconds;
        Line($"samples: {p.Samples / f.Minutes:0} a minute (expected {expected:0}) from {p.Environments} of {f.Environments} environments; per environment a minute min {p.PerEnvMinuteMin:0.00} / avg {p.PerEnvMinuteAvg:0.00} / max {p.PerEnvMinuteMax:0.00} (expected {60.0 / f.IntervalSeconds:0.00})");
        Line($"  gap between one environment's samples: p50 {p.GapP50:0.00} s, p99 {p.GapP99:0.00} s, max {p.GapMax:0.00} s (interval {f.IntervalSeconds} s); samples not healthy: {p.NotHealthy}; statuses now: {p.Statuses}");
        Console.WriteLine();

        var measuredSamples = (f.Last.SampleBytes - f.First.SampleBytes) / f.Minutes;
        var measuredRollups = (f.Last.RollupBytes - f.First.RollupBytes) / f.Minutes;
        var wal = (double)(f.Last.WalBytes - f.First.WalBytes) / f.Minutes;
        Line($"storage, measured a minute: health_samples +{Size(measuredSamples)}, health_rollups +{Size(measuredRollups)} (before vacuum: re-aggregating the last quarter hour leaves dead rows), WAL {Size(wal)}");
        Line($"  compacted (VACUUM FULL, with indexes): {f.SampleRowBytes:0} bytes a sample, {f.RollupRowBytes:0} bytes a rollup row");
        var samplesPerDay = p.Samples / f.Minutes * 1440;
        var rawDay = samplesPerDay * f.SampleRowBytes;
        var minuteRowsDay = f.Environments * 1440.0;
        var fiveRowsDay = f.Environments * 288.0;
        var rawSteady = rawDay * f.RawRetentionHours / 24.0;
        var rollupSteady = (minuteRowsDay * f.MinuteRollupDays + fiveRowsDay * f.FiveMinuteRollupDays) * f.RollupRowBytes;
        Line($"  raw samples: {samplesPerDay / 1e6:0.00} M rows, {Size(rawDay)} a day; kept {f.RawRetentionHours} h, so health_samples levels off at {Size(rawSteady)}");
        Line($"  rollups: {minuteRowsDay + fiveRowsDay:0} rows, {Size((minuteRowsDay + fiveRowsDay) * f.RollupRowBytes)} a day (1-minute kept {f.MinuteRollupDays} d, 5-minute {f.FiveMinuteRollupDays} d); health_rollups levels off at {Size(rollupSteady)} after {f.FiveMinuteRollupDays} d");
        Line($"  growth after downsampling: +{Size(rawDay + (minuteRowsDay + fiveRowsDay) * f.RollupRowBytes)} on day 1, then +{Size((minuteRowsDay + fiveRowsDay) * f.RollupRowBytes)} a day to day {f.MinuteRollupDays}, then +{Size(fiveRowsDay * f.RollupRowBytes)} a day to day {f.FiveMinuteRollupDays}; steady total {Size(rawSteady + rollupSteady)}");
        Console.WriteLine();

        var percent = f.Cpu.Counted / seconds * 100;
        Line($"target: watcher + orchestrator <= {TargetPercentOfOneCore:0} % of one core for {f.Environments} environments at {f.IntervalSeconds} s: {percent:0.0} % -> {(percent <= TargetPercentOfOneCore ? "met" : "NOT met")} ({percent / TargetPercentOfOneCore:0.00} x the target)");

        void Cpu(string what, double used, double idle) =>
            Line($"  {what,-31} {used / f.Minutes,8:0.00} {used / seconds * 100,12:0.0} %   (idle {idle / f.IdleSeconds * 100:0.0} %)");
    }

    public static string Size(double bytes) => Math.Abs(bytes) switch
    {
        >= 1L << 30 => string.Create(CultureInfo.InvariantCulture, $"{bytes / (1L << 30):0.0} GiB"),
        >= 1L << 20 => string.Create(CultureInfo.InvariantCulture, $"{bytes / (1L << 20):0.0} MiB"),
        >= 1L << 10 => string.Create(CultureInfo.InvariantCulture, $"{bytes / (1L << 10):0} KiB"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{bytes:0} B"),
    };

    private static void Line(FormattableString text) => Console.WriteLine(text.ToString(CultureInfo.InvariantCulture));

    private static string CpuModel() =>
        File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? "unknown CPU";
}
