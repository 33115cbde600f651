namespace Contracts.Specs;

/// <summary>Engine settings; they map one to one onto the JetStream server flags.</summary>
public sealed record EngineSpec
{
    /// <summary>Container image; empty means the target's default (JetStream-PyTorch on TPUs, our EngineImage elsewhere).</summary>
    public string Image { get; init; } = "";
    public int BatchSize { get; init; } = 32;
    public int MaxCacheLength { get; init; } = 2048;
    public bool QuantizeWeights { get; init; }
    public bool QuantizeKvCache { get; init; }
    /// <summary>Replicas per revision; with <see cref="Autoscaling"/>, the count a revision starts with.</summary>
    public int Replicas { get; init; } = 2;
    /// <summary>Null: a fixed <see cref="Replicas"/>.</summary>
    public AutoscalingSpec? Autoscaling { get; init; }
}
