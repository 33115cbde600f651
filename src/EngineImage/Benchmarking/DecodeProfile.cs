using System.Diagnostics;
using EngineImage.Inference;
using EngineImage.Kernels;
using EngineImage.Model;

namespace EngineImage.Benchmarking;

/// <summary>
/// Direct model timings without the serving loop: decode steps at batch 1 and at a full batch (median ms per step,
/// the spread over repeats, and the per-operator split from <see cref="OpProfile"/>), and time to first token for a
/// long prompt (one prefill). Used by <c>engine bench --profile</c>.
/// </summary>
internal sealed class DecodeProfile(TextWriter output)
{
    public sealed record Figures(double Batch1Ms, double BatchMs, int Batch, double PrefillMs, int PrefillTokens, long StepBytes);

    public Figures Run(EngineOptions engineOptions, KernelSettings kernels, int batch, int steps, int prefillTokens, string label)
    {
        ArgumentNullException.ThrowIfNull(engineOptions);
        using var model = ModelLoader.LoadTransformer(engineOptions);
        model.Kernels = kernels;
        var sampling = Enumerable.Repeat(new SamplingParams(), batch).ToArray();
        var prompt = Enumerable.Range(0, 16).Select(i => 100 + 37 * i).ToArray();
        for (var s = 0; s < batch; s++) model.Prefill(s, prompt, sampling[0]);
        var batch1 = Steps(model, 1, steps, prompt.Length, sampling, $"{label} batch 1");
        var full = Steps(model, batch, Math.Max(4, steps / 4), prompt.Length, sampling, $"{label} batch {batch}");
        var long_ = Enumerable.Range(0, prefillTokens).Select(i => 100 + (37 * i % 5000)).ToArray();
        var prefills = new List<double>();
        for (var r = 0; r < 3; r++)
        {
            var started = Stopwatch.GetTimestamp();
            model.Prefill(0, long_, sampling[0]);
            prefills.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }
        prefills.Sort();
        output.WriteLine($"{label}: time to first token, {prefillTokens}-token prompt: {prefills[1]:F1} ms median of 3 ({prefills[0]:F1}-{prefills[2]:F1})");
        output.WriteLine();
        output.Flush();
        return new Figures(batch1, full, batch, prefills[1], prefillTokens, model.StepBytes);
    }

    private double Steps(TransformerModel model, int batch, int steps, int start, SamplingParams[] sampling, string label)
    {
        var slots = Enumerable.Range(0, batch).ToArray();
        var tokens = Enumerable.Repeat(500, batch).ToArray();
        var times = new List<double>();
        OpProfile.Reset();
        for (var step = 0; step < steps + 2; step++)
        {
            var positions = Enumerable.Repeat(start + step, batch).ToArray();
            // Two warm-up steps are timed but not profiled.
            OpProfile.Enabled = step >= 2;
            var started = Stopwatch.GetTimestamp();
            tokens = model.Decode(slots, tokens, positions, sampling[..batch]);
            if (step >= 2) times.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }
        OpProfile.Enabled = false;
        times.Sort();
        var median = times[times.Count / 2];
        output.WriteLine($"{label}: {median:F2} ms per step median of {times.Count} (p10 {times[times.Count / 10]:F2}, p90 {times[times.Count * 9 / 10]:F2}), {median / batch:F2} ms per token");
        var ops = OpProfile.Snapshot();
        var total = times.Sum();
        foreach (var (op, seconds, calls) in ops)
            output.WriteLine($"    {op,-24} {seconds * 1e3 / times.Count,7:F3} ms/step {100 * seconds * 1e3 / total,5:F1} %  ({calls / times.Count} calls/step)");
        var rest = total - ops.Sum(o => o.Seconds * 1e3);
        output.WriteLine($"    {"other (glue, masks, alloc)",-24} {rest / times.Count,7:F3} ms/step {100 * rest / total,5:F1} %");
        output.Flush();
        return median;
    }
}
