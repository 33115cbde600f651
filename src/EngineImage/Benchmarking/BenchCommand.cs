using EngineImage.Inference;
using EngineImage.Kernels;
using EngineImage.Serving;
using EngineImage.Tokenization;
using Microsoft.Extensions.Logging.Abstractions;

namespace EngineImage.Benchmarking;

/// <summary>
/// <c>engine bench</c>: loads the model once per configuration (bf16, f32, int8 weights, int8 KV) and drives the
/// serving engine loop in-process with closed-loop clients at each concurrency, then prints tokens/s, TTFT and TPOT
/// percentiles, continuous batching against one-at-a-time, batch-1 decode against the memory-bandwidth bound, and
/// the int8 memory ratios. End-of-sequence is ignored so that every request generates exactly <c>--max_tokens</c>
/// and every configuration does the same work.
/// </summary>
public static class BenchCommand
{
    private const string Passage =
        "The orchestrator records each rollout in PostgreSQL, plans its steps and hands them to runners. " +
        "Continuous batching keeps every decode slot busy: new requests are prefilled into free slots while the others " +
        "keep decoding, each at its own position in its own part of the key-value cache. ";

    public static async Task<int> RunAsync(string[] args)
    {
        var options = BenchOptions.Parse(args);
        if (options.Threads > 0) TorchSharp.torch.set_num_threads(options.Threads);
        var report = new BenchReport(Console.Out);
        report.Context(MachineContext.Describe(), options);

        if (options.Profile) return Profile(options);
        var bound = BandwidthProbe.Measure(options.CheckpointPath, options.BandwidthPasses);
        report.Bandwidth(bound);

        var runs = new List<ConfigRun>();
        foreach (var config in options.Configs)
        {
            var run = await MeasureAsync(options, config);
            report.Rows(run);
            runs.Add(run);
        }
        report.Summary(runs, bound);
        return 0;
    }

    private static int Profile(BenchOptions options)
    {
        var threads = Math.Max(1, TorchSharp.torch.get_num_threads());
        var memory = MemoryBandwidth.Measure(threads);
        Console.WriteLine($"physical memory read bandwidth: {memory.MedianGigabytesPerSecond:F1} GB/s median over a {memory.Bytes >> 20} MiB buffer, {memory.Threads} threads (best {memory.BestGigabytesPerSecond:F1}, worst {memory.WorstGigabytesPerSecond:F1})");
        Console.WriteLine();
        var profile = new DecodeProfile(Console.Out);
        var batch = options.Concurrency.Max();
        var summary = new List<string>();
        foreach (var config in options.Configs)
        {
            var engineOptions = EngineOptionsFor(options, config) with { MaxCacheLength = Math.Max(options.MaxCacheLength, options.PrefillTokens + 64) };
            foreach (var kind in options.Kernels == KernelKind.Torch ? [KernelKind.Torch] : new[] { KernelKind.Torch, options.Kernels })
            {
                var label = $"{config.Name} {kind.ToString().ToLowerInvariant()}";
                var f = profile.Run(engineOptions, KernelSettings.For(kind), batch, 32, options.PrefillTokens, label);
                var stepBytes = f.StepBytes;
                summary.Add($"{label,-16} batch-1 {f.Batch1Ms,6:F2} ms/token  {stepBytes / 1e6,6:F0} MB read per step  {stepBytes / (f.Batch1Ms / 1e3) / 1e9,5:F1} GB/s = {stepBytes / (f.Batch1Ms / 1e3) / 1e9 / memory.MedianGigabytesPerSecond:P0} of measured  batch-{batch} {batch / (f.BatchMs / 1e3),6:F0} tok/s  TTFT({f.PrefillTokens}) {f.PrefillMs,6:F0} ms");
            }
        }
        Console.WriteLine("summary (bytes per step: every weight once, one row of an untied embedding table; ratios against the measured bandwidth above):");
        foreach (var line in summary) Console.WriteLine(line);
        return 0;
    }

    private static EngineOptions EngineOptionsFor(BenchOptions options, BenchConfig config) => new()
    {
        ModelName = options.ModelName,
        Size = options.Size,
        CheckpointPath = options.CheckpointPath,
        TokenizerPath = options.TokenizerPath,
        BatchSize = options.Concurrency.Max(),
        MaxCacheLength = options.MaxCacheLength,
        Bf16Enable = config.Bf16Enable,
        QuantizeWeights = config.QuantizeWeights,
        QuantizeKvCache = config.QuantizeKvCache,
    };

    private static async Task<ConfigRun> MeasureAsync(BenchOptions options, BenchConfig config)
    {
        using var engine = await EngineLoaders.Default(EngineOptionsFor(options, config), CancellationToken.None);
        var prompts = MakePrompts(engine.Tokenizer, options.PromptTokens, options.Requests);
        using var loop = new EngineLoop(engine.Model, _ => false, options.Requests, new ServingMetrics(options.ModelName), NullLogger.Instance);
        loop.Start();
        var driver = new LoadDriver(loop, prompts, options.MaxTokens);
        await driver.RunAsync("warm-up", 2, 2);
        var results = new List<WorkloadResult>();
        foreach (var concurrency in options.Concurrency)
            results.Add(await driver.RunAsync(config.Name, options.Requests, concurrency));
        return new ConfigRun(config, engine.Model.Description, results);
    }

    /// <summary>Distinct prompts of exactly <paramref name="length"/> tokens: windows over a tokenized passage.</summary>
    private static List<int[]> MakePrompts(ITextTokenizer tokenizer, int length, int count)
    {
        var tokens = new List<int>();
        while (tokens.Count < length + 3 * count)
            tokens.AddRange(tokenizer.Encode(Passage, addBos: false));
        return Enumerable.Range(0, count).Select(i => tokens.Skip(3 * i).Take(length).ToArray()).ToList();
    }
}
