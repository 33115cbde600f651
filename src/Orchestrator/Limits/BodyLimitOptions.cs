using System.ComponentModel.DataAnnotations;

namespace Orchestrator.Limits;

/// <summary>
/// The largest request body each kind of endpoint reads (<c>Limits:Bodies</c>), in bytes. A body past its limit, declared
/// by Content-Length or streamed chunked, answers 413 naming the setting.
/// </summary>
public sealed class BodyLimitOptions
{
    public const string Section = "Limits:Bodies";

    /// <summary>Every user endpoint: specs, environments, schedules, tokens, secrets.</summary>
    [Range(1, long.MaxValue, ErrorMessage = "Limits:Bodies:Default must be a positive number of bytes.")]
    public long Default { get; set; } = 1024 * 1024;

    /// <summary>The runner protocol: log batches, completions with outputs, health samples and events.</summary>
    [Range(1, long.MaxValue, ErrorMessage = "Limits:Bodies:Runner must be a positive number of bytes.")]
    public long Runner { get; set; } = 8 * 1024 * 1024;

    /// <summary>GitHub deliveries: GitHub caps a payload at 25 MB.</summary>
    [Range(1, long.MaxValue, ErrorMessage = "Limits:Bodies:Webhook must be a positive number of bytes.")]
    public long Webhook { get; set; } = 25 * 1024 * 1024;

    public BodyLimit For(BodyKind kind) => kind switch
    {
        BodyKind.Runner => new BodyLimit($"{Section}:{nameof(Runner)}", Runner),
        BodyKind.Webhook => new BodyLimit($"{Section}:{nameof(Webhook)}", Webhook),
        _ => new BodyLimit($"{Section}:{nameof(Default)}", Default),
    };
}
