using System.Net;
using EngineImage.Cli;
using EngineImage.Inference;

namespace EngineImage.Serving;

/// <summary><c>engine serve</c>'s flags: JetStream-PyTorch's server flags by their exact names, plus where to listen,
/// how many requests may wait for a slot, and how long in-flight requests get when the server is told to stop.</summary>
public sealed record ServeOptions
{
    public static readonly IReadOnlySet<string> BooleanFlags =
        new HashSet<string>(StringComparer.Ordinal) { "quantize_weights", "quantize_kv_cache", "bf16_enable" };

    public static readonly IReadOnlySet<string> ModelNames = new HashSet<string>(StringComparer.Ordinal) { "llama-3", "gemma" };

    public required EngineOptions Engine { get; init; }

    public IPAddress Host { get; init; } = IPAddress.Any;

    /// <summary>0 picks a free port (tests read the bound address back).</summary>
    public int Port { get; init; } = 9000;

    public int QueueCapacity { get; init; } = 256;

    public TimeSpan ShutdownGrace { get; init; } = TimeSpan.FromSeconds(5);

    public static ServeOptions Parse(IReadOnlyList<string> args)
    {
        var flags = Flags.Parse(args, BooleanFlags);
        var modelName = flags.Required("model_name");
        if (!ModelNames.Contains(modelName))
            throw new FlagException($"--model_name must be one of {string.Join(", ", ModelNames)}, got '{modelName}'");
        var engine = new EngineOptions
        {
            ModelName = modelName,
            Size = flags.String("size", "") ?? "",
            CheckpointPath = flags.Required("checkpoint_path"),
            TokenizerPath = flags.Required("tokenizer_path"),
            BatchSize = AtLeast(flags, "batch_size", 32, 1),
            MaxCacheLength = AtLeast(flags, "max_cache_length", 2048, 2),
            QuantizeWeights = flags.Bool("quantize_weights", false),
            QuantizeKvCache = flags.Bool("quantize_kv_cache", false),
            Bf16Enable = flags.Bool("bf16_enable", true),
        };
        var hostText = flags.String("host", "0.0.0.0")!;
        var host = hostText == "localhost" ? IPAddress.Loopback
            : IPAddress.TryParse(hostText, out var ip) ? ip
            : throw new FlagException($"--host must be an IP address or localhost, got '{hostText}'");
        var port = flags.Int("port", 9000);
        if (port is < 0 or > 65535)
            throw new FlagException($"--port must be between 0 and 65535, got {port}");
        var options = new ServeOptions
        {
            Engine = engine,
            Host = host,
            Port = port,
            QueueCapacity = AtLeast(flags, "request_queue_size", Math.Max(64, 4 * engine.BatchSize), 1),
            ShutdownGrace = TimeSpan.FromSeconds(AtLeast(flags, "shutdown_grace_seconds", 5, 0)),
        };
        flags.RejectUnknown();
        return options;
    }

    private static int AtLeast(Flags flags, string name, int fallback, int minimum)
    {
        var value = flags.Int(name, fallback);
        return value >= minimum ? value : throw new FlagException($"--{name} must be at least {minimum}, got {value}");
    }
}
