using Contracts.Specs;
using Orchestrator.Planning;

namespace Orchestrator.Rollouts;

/// <summary>Checks an analysis by field: every metric names a known source and one of its measures, has bounds that
/// can be met, and whatever its source needs (prompts for golden prompts, a ratio for a comparison), on a target that has
/// the source (<c>pods</c> only on <c>kubernetes</c> and <c>gke</c>).</summary>
public static class AnalysisValidator
{
    private static readonly string[] Revisions = ["canary", "stable"];
    private static readonly string[] Judges = ["mannWhitney", "ratio"];
    private static readonly string[] ComparisonFeeds = [MetricSources.Probe, MetricSources.Traffic];

    public static void Validate(AnalysisSpec analysis, string path, bool background, string targetKind, ValidationErrors errors)
    {
        if (analysis.Metrics is not { Count: > 0 } metrics) { errors.Add($"{path}.metrics", "Give at least one metric."); return; }
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < metrics.Count; i++)
        {
            var at = $"{path}.metrics[{i}]";
            if (metrics[i] is not { } metric) { errors.Add(at, "Must be an object."); continue; }
            if (string.IsNullOrWhiteSpace(metric.Name)) errors.Add($"{at}.name", "Required.");
            else if (!names.Add(metric.Name)) errors.Add($"{at}.name", $"Another metric is already named '{metric.Name}'.");
            ValidateMetric(metric, at, background, targetKind, errors);
        }
    }

    private static void ValidateMetric(MetricSpec metric, string at, bool background, string targetKind, ValidationErrors errors)
    {
        if (!MetricSources.Measures.TryGetValue(metric.Source, out var measures))
        {
            errors.Add($"{at}.source", $"Must be one of: {string.Join(", ", MetricSources.Measures.Keys)}.");
            return;
        }
        // Not measured on this target: refused rather than accepted and silently inconclusive.
        if (metric.Source is MetricSources.Pods && targetKind is not (TargetKinds.Kubernetes or TargetKinds.Gke))
            errors.Add($"{at}.source", $"The 'pods' source reads Kubernetes pods: it is available on kubernetes and gke targets, not on '{targetKind}'.");
        if (!measures.Contains(metric.Measure)) errors.Add($"{at}.measure", $"For source '{metric.Source}', must be one of: {string.Join(", ", measures)}.");
        if (!Revisions.Contains(metric.Revision)) errors.Add($"{at}.revision", "Must be canary or stable.");
        if (!Durations.TryParse(metric.Interval, out var interval) || interval < TimeSpan.FromSeconds(1))
            errors.Add($"{at}.interval", "Must be a duration of at least 1s, such as 10s.");
        if (metric.Count is < 1 or > 10_000) errors.Add($"{at}.count", "Must be between 1 and 10000.");
        if (metric.Count is null && !background) errors.Add($"{at}.count", "Required in an inline analysis (only a background analysis measures until promotion).");
        if (metric.FailureLimit is < 0) errors.Add($"{at}.failureLimit", "Must not be negative.");
        if (metric.InconclusiveLimit is < 0) errors.Add($"{at}.inconclusiveLimit", "Must not be negative.");
        if (metric.MinSamples is < 1) errors.Add($"{at}.minSamples", "Must be at least 1.");
        if (metric.Probes is < 1 or > 1000) errors.Add($"{at}.probes", "Must be between 1 and 1000.");
        var probes = metric.Source == MetricSources.Probe || (metric.Source == MetricSources.Comparison && metric.From is null or MetricSources.Probe);
        if (metric.Probes is not null && !probes) errors.Add($"{at}.probes", "Only a probe metric and a comparison from probe send probes.");
        if (metric.Min is { } min && metric.Max is { } max && min > max) errors.Add($"{at}.min", "Must not exceed max.");
        if (metric.Confidence is < 0.5 or >= 1) errors.Add($"{at}.confidence", "Must be at least 0.5 and below 1.");

        var comparison = metric.Source == MetricSources.Comparison;
        if (comparison)
        {
            if (metric.MaxRatio is not > 0) errors.Add($"{at}.maxRatio", "Required for a comparison: how many times the stable's figure the canary's may be (e.g. 1.5).");
            if (metric.Judge is { } judge && !Judges.Contains(judge)) errors.Add($"{at}.judge", "Must be mannWhitney or ratio.");
            if (metric.From is { } from && !ComparisonFeeds.Contains(from)) errors.Add($"{at}.from", "Must be probe or traffic.");
            // Live traffic is read as histograms: there are no single latencies for a rank test to compare.
            if (metric.From == MetricSources.Traffic && metric.Judge == "mannWhitney")
                errors.Add($"{at}.judge", "With from: traffic the latencies are histograms, not samples: the judge is ratio (leave judge out or set it to ratio).");
            if (metric.From == MetricSources.Traffic && metric.Confidence is not null)
                errors.Add($"{at}.confidence", "Only the mannWhitney judge takes a confidence; from: traffic is judged by ratio.");
            if (metric.Min is not null || metric.Max is not null) errors.Add($"{at}.max", "A comparison is judged by maxRatio, not by min or max.");
        }
        else
        {
            if (metric.MaxRatio is not null) errors.Add($"{at}.maxRatio", "Only a comparison takes maxRatio.");
            if (metric.Judge is not null) errors.Add($"{at}.judge", "Only a comparison takes a judge.");
            if (metric.From is not null) errors.Add($"{at}.from", "Only a comparison takes from.");
            if (metric.Confidence is not null) errors.Add($"{at}.confidence", "Only a comparison takes a confidence.");
            if (metric.Min is null && metric.Max is null) errors.Add($"{at}.max", "Give min or max (or both): the bounds of a successful measurement.");
        }

        if (metric.Source == MetricSources.GoldenPrompts) ValidateGolden(metric.GoldenPrompts, $"{at}.goldenPrompts", errors);
        else if (metric.GoldenPrompts is not null) errors.Add($"{at}.goldenPrompts", "Only a goldenPrompts metric takes prompts.");
    }

    private static void ValidateGolden(GoldenPromptsSpec? golden, string at, ValidationErrors errors)
    {
        if (golden is null) { errors.Add(at, "Required: prompts or a file of them."); return; }
        var prompts = golden.Prompts ?? [];
        if (prompts.Count == 0 && golden.File is null) errors.Add($"{at}.prompts", "Give prompts or a file.");
        if (prompts.Count > 0 && golden.File is not null) errors.Add($"{at}.file", "Give prompts or a file, not both.");
        if (prompts.Count > 1000) errors.Add($"{at}.prompts", "At most 1000 prompts.");
        for (var i = 0; i < prompts.Count; i++)
            if (string.IsNullOrEmpty(prompts[i])) errors.Add($"{at}.prompts[{i}]", "Must not be empty.");
        if (golden.File is { } file && (!file.StartsWith("file:///", StringComparison.Ordinal) || file.Length == 8))
            errors.Add($"{at}.file", "Must be file:///absolute/path on the runner.");
        if (golden.Tokens is < 1 or > 1024) errors.Add($"{at}.tokens", "Must be between 1 and 1024.");
    }
}
