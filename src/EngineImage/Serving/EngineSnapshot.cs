namespace EngineImage.Serving;

/// <summary>The engine's gauges at one moment, for <c>/metrics</c>.</summary>
public sealed record EngineSnapshot(
    int Slots,
    int ActiveSlots,
    int Backlog,
    double CacheUtilization,
    double ModelLoadSeconds,
    double StartupSeconds,
    long WeightBytes,
    long KvCacheBytes);
