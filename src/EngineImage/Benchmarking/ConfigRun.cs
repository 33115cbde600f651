using EngineImage.Inference;

namespace EngineImage.Benchmarking;

/// <summary>The workloads measured for one configuration, and what its model took in memory.</summary>
public sealed record ConfigRun(BenchConfig Config, ModelDescription Description, IReadOnlyList<WorkloadResult> Results)
{
    public WorkloadResult? At(int concurrency) => Results.FirstOrDefault(r => r.Concurrency == concurrency);
}
