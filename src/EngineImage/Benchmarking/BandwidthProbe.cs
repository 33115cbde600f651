using System.Diagnostics;
using EngineImage.Safetensors;
using TorchSharp;

namespace EngineImage.Benchmarking;

/// <summary>
/// The memory-bandwidth bound for one decode step: the time for matrix-vector products over the same weights a
/// batch-1 decode step reads (every matrix in the checkpoint, in bf16, except the embedding table of an untied model,
/// of which a step reads one row). Random values of the checkpoint's shapes: only bytes and shapes matter here.
/// </summary>
public static class BandwidthProbe
{
    public static BandwidthBound Measure(string checkpointPath, int passes)
    {
        IReadOnlyList<long[]> shapes;
        using (var file = SafetensorsFile.Open(checkpointPath))
        {
            var tied = !file.Tensors.ContainsKey("output.weight");
            shapes = file.Tensors.Values
                .Where(t => t.Shape.Length == 2 && !t.Name.EndsWith("weight_scaler", StringComparison.Ordinal))
                .Where(t => tied || t.Name != "tok_embeddings.weight")
                .Select(t => t.Shape)
                .ToList();
        }
        using var noGrad = torch.no_grad();
        using var scope = torch.NewDisposeScope();
        var weights = shapes.Select(s => torch.randn(s, dtype: torch.ScalarType.BFloat16)).ToList();
        var inputs = shapes.Select(s => s[1]).Distinct().ToDictionary(n => n, n => torch.randn([1, n], dtype: torch.ScalarType.BFloat16));
        var bytes = weights.Sum(w => w.numel() * 2);

        var times = new List<double>();
        for (var pass = 0; pass < passes + 2; pass++)
        {
            var started = Stopwatch.GetTimestamp();
            using (torch.NewDisposeScope())
            {
                foreach (var w in weights) torch.nn.functional.linear(inputs[w.shape[1]], w);
            }
            if (pass >= 2) times.Add(Stopwatch.GetElapsedTime(started).TotalSeconds);
        }
        return new BandwidthBound(bytes, WorkloadResult.Percentile(times, 0.5), times.Min(), shapes.Count);
    }
}
