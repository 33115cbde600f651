using EngineImage.Cli;
using EngineImage.Kernels;

namespace EngineImage.Benchmarking;

/// <summary><c>engine bench</c>'s flags.</summary>
public sealed record BenchOptions
{
    public required string ModelName { get; init; }
    public required string CheckpointPath { get; init; }
    public required string TokenizerPath { get; init; }
    public string Size { get; init; } = "small";
    public int MaxCacheLength { get; init; } = 512;
    public int PromptTokens { get; init; } = 64;
    public int MaxTokens { get; init; } = 64;
    public int Requests { get; init; } = 16;
    public IReadOnlyList<int> Concurrency { get; init; } = [1, 4, 8, 16];
    public IReadOnlyList<BenchConfig> Configs { get; init; } = BenchConfig.All;
    public int BandwidthPasses { get; init; } = 20;

    /// <summary>Torch intra-op threads; 0 keeps TorchSharp's default (one per core).</summary>
    public int Threads { get; init; }

    /// <summary>The kernels under test (<c>--kernels</c>, default the widest this CPU has).</summary>
    public KernelKind Kernels { get; init; } = KernelKinds.Best;

    /// <summary><c>--profile</c>: direct decode timings with the per-operator split, ours against libtorch-only, the
    /// physical memory bandwidth and time to first token, instead of the serving-loop table.</summary>
    public bool Profile { get; init; }

    public int PrefillTokens { get; init; } = 512;

    public static BenchOptions Parse(IReadOnlyList<string> args)
    {
        var flags = Flags.Parse(args, new HashSet<string> { "profile" });
        var configNames = (flags.String("configs", "bf16,f32,int8w,int8kv") ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var configs = configNames
            .Select(n => BenchConfig.All.FirstOrDefault(c => c.Name == n)
                ?? throw new FlagException($"--configs: unknown '{n}' (known: {string.Join(", ", BenchConfig.All.Select(c => c.Name))})"))
            .ToList();
        var concurrency = (flags.String("concurrency", "1,4,8,16") ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries)
            .Select(c => int.TryParse(c, out var n) && n > 0 ? n : throw new FlagException($"--concurrency: '{c}' is not a positive integer"))
            .ToList();
        var options = new BenchOptions
        {
            ModelName = flags.String("model_name", "llama-3")!,
            Size = flags.String("size", "small")!,
            CheckpointPath = flags.Required("checkpoint_path"),
            TokenizerPath = flags.Required("tokenizer_path"),
            MaxCacheLength = flags.Int("max_cache_length", 512),
            PromptTokens = flags.Int("prompt_tokens", 64),
            MaxTokens = flags.Int("max_tokens", 64),
            Requests = flags.Int("requests", 16),
            Concurrency = concurrency,
            Configs = configs,
            BandwidthPasses = flags.Int("bandwidth_passes", 20),
            Threads = flags.Int("threads", 0),
            Kernels = ParseKernels(flags.String("kernels", "auto")!),
            Profile = flags.Bool("profile", false),
            PrefillTokens = flags.Int("prefill_tokens", 512),
        };
        flags.RejectUnknown();
        if (options.PromptTokens + options.MaxTokens > options.MaxCacheLength)
            throw new FlagException($"--prompt_tokens + --max_tokens ({options.PromptTokens + options.MaxTokens}) exceed --max_cache_length {options.MaxCacheLength}");
        if (options.Concurrency.Max() > options.Requests)
            throw new FlagException("--requests must be at least the largest --concurrency");
        return options;
    }

    private static KernelKind ParseKernels(string value)
    {
        try
        {
            return KernelKinds.Parse(value);
        }
        catch (ArgumentException e)
        {
            throw new FlagException(e.Message);
        }
    }
}
