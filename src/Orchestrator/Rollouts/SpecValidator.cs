using System.Text.RegularExpressions;
using Contracts.Specs;
using Orchestrator.Planning;

namespace Orchestrator.Rollouts;

/// <summary>Checks what the JSON shape cannot: required fields, allowed values, ranges, durations, references.</summary>
public static partial class SpecValidator
{
    private static readonly string[] Families = ["llama-3", "gemma"];
    private static readonly string[] Sizes = ["8b", "7b", "tiny", "small"];
    private static readonly string[] GkeModes = ["autopilot", "standard"];

    [GeneratedRegex("^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$")]
    private static partial Regex DnsLabel();

    public static bool IsDnsLabel(string? name) => name is not null && DnsLabel().IsMatch(name);

    public static ValidationErrors Validate(RolloutSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var errors = new ValidationErrors();
        if (string.IsNullOrEmpty(spec.Environment)) errors.Add("environment", "Required.");
        else if (!IsDnsLabel(spec.Environment)) errors.Add("environment", "Must be a DNS label: lowercase letters, digits and '-', at most 63 characters.");
        ValidateModel(spec.Model, errors);
        ValidateEngine(spec.Engine, errors);
        ValidateTarget(spec.Target, spec.Model?.Family, errors);
        ValidateLoad(spec, errors);
        // Names each cloud API would refuse (service account ids, bucket names, TPU region and topology), by field.
        if (spec.Target is not null)
            foreach (var (field, message) in CloudTargets.Preflight.CloudPreflight.Check(spec)) errors.Add(field, message);
        ValidateStrategy(spec.Strategy, spec.Target?.Kind ?? TargetKinds.Local, errors);
        ValidateCleanup(spec.Cleanup, spec.Target?.Kind ?? TargetKinds.Local, errors);
        return errors;
    }

    private static bool Present(object? value, string path, ValidationErrors errors)
    {
        if (value is null) errors.Add(path, "Must be an object, not null.");
        return value is not null;
    }

    private static void ValidateModel(ModelSpec? model, ValidationErrors errors)
    {
        if (model is null) { errors.Add("model", "Required."); return; }
        if (!Families.Contains(model.Family)) errors.Add("model.family", $"Must be one of: {string.Join(", ", Families)}.");
        if (!Sizes.Contains(model.Size)) errors.Add("model.size", $"Must be one of: {string.Join(", ", Sizes)}.");
        var source = model.Source ?? "";
        if (HubSource.IsHubSource(source))
        {
            if (!HubSource.TryParse(source, out _, out var problem)) errors.Add("model.source", problem);
        }
        else if (source.StartsWith("file:///", StringComparison.Ordinal))
        {
            if (source.Length == 8) errors.Add("model.source", "A file:// source names an absolute directory: file:///dir.");
        }
        else errors.Add("model.source", "Must start with hf:// or file:///.");
    }

    private static void ValidateEngine(EngineSpec? engine, ValidationErrors errors)
    {
        if (!Present(engine, "engine", errors)) return;
        if (engine!.BatchSize is < 1 or > 4096) errors.Add("engine.batchSize", "Must be between 1 and 4096.");
        if (engine.MaxCacheLength is < 16 or > 1_048_576) errors.Add("engine.maxCacheLength", "Must be between 16 and 1048576.");
        if (engine.Replicas is < 1 or > 64) errors.Add("engine.replicas", "Must be between 1 and 64.");
        if (engine.Autoscaling is { } autoscaling) ValidateAutoscaling(autoscaling, engine.Replicas, errors);
    }

    // engine.replicas is the count a revision starts with; outside [min, max] it would be scaled at once, so such a
    // combination is refused rather than silently corrected.
    private static void ValidateAutoscaling(AutoscalingSpec autoscaling, int replicas, ValidationErrors errors)
    {
        const string path = "engine.autoscaling";
        var rangeOk = true;
        if (autoscaling.MinReplicas is < 1 or > 64) { errors.Add($"{path}.minReplicas", "Must be between 1 and 64."); rangeOk = false; }
        if (autoscaling.MaxReplicas is < 1 or > 64) { errors.Add($"{path}.maxReplicas", "Required: between 1 and 64."); rangeOk = false; }
        else if (autoscaling.MaxReplicas < autoscaling.MinReplicas)
        {
            errors.Add($"{path}.maxReplicas", "Must be at least minReplicas.");
            rangeOk = false;
        }

        if (!AutoscalingMetrics.All.Contains(autoscaling.Metric))
            errors.Add($"{path}.metric", $"Must be one of: {string.Join(", ", AutoscalingMetrics.All)}.");
        if (!(autoscaling.Target > 0) || double.IsInfinity(autoscaling.Target))
            errors.Add($"{path}.target", "Required: a positive number (backlog per replica, or percent of slots used).");
        else if (autoscaling.Metric == AutoscalingMetrics.SlotsUsed && autoscaling.Target > 100)
            errors.Add($"{path}.target", "slotsUsed is a percentage: at most 100.");
        if (!Durations.TryParse(autoscaling.ScaleDownStabilization, out var window) || window > TimeSpan.FromHours(1))
            errors.Add($"{path}.scaleDownStabilization", "Must be a duration such as 30s or 5m (0s to 1h).");
        if (rangeOk && (replicas < autoscaling.MinReplicas || replicas > autoscaling.MaxReplicas))
            errors.Add("engine.replicas", $"With engine.autoscaling it is the starting count: must be between minReplicas ({autoscaling.MinReplicas}) and maxReplicas ({autoscaling.MaxReplicas}).");
    }

    private static void ValidateTarget(TargetSpec? target, string? family, ValidationErrors errors)
    {
        if (!Present(target, "target", errors)) return;
        if (!TargetKinds.All.Contains(target!.Kind))
        {
            errors.Add("target.kind", $"Must be one of: {string.Join(", ", TargetKinds.All)}.");
            return;
        }
        foreach (var (kind, settings) in new (string, object?)[] { (TargetKinds.Local, target.Local), (TargetKinds.Kubernetes, target.Kubernetes), (TargetKinds.Gke, target.Gke) })
            if (settings is not null && kind != target.Kind)
                errors.Add($"target.{kind}", $"Settings for '{kind}' do not apply to a '{target.Kind}' target.");

        if (target.Local is { } local)
        {
            if (local.FrontPort is < 1 or > 65535) errors.Add("target.local.frontPort", "Must be a TCP port (1-65535).");
            if (local.EngineBasePort is < 1 or > 65000) errors.Add("target.local.engineBasePort", "Must be a TCP port (1-65000).");
            ValidateTokenReference(local.HuggingFaceToken, "target.local.huggingFaceToken", errors);
        }
        if (target.Kind == TargetKinds.Kubernetes)
            ValidateTokenReference(target.Kubernetes?.HuggingFaceToken, "target.kubernetes.huggingFaceToken", errors);
        if (target.Kind == TargetKinds.Gke) ValidateGke(target.Gke, family, errors);
    }

    private static void ValidateGke(GkeTargetSpec? gke, string? family, ValidationErrors errors)
    {
        if (gke is null) { errors.Add("target.gke", "Required for a gke target (project, region, cluster…)."); return; }
        if (string.IsNullOrEmpty(gke.Project)) errors.Add("target.gke.project", "Required.");
        if (string.IsNullOrEmpty(gke.Region)) errors.Add("target.gke.region", "Required.");
        if (string.IsNullOrEmpty(gke.Cluster)) errors.Add("target.gke.cluster", "Required.");
        if (!GkeModes.Contains(gke.Mode)) errors.Add("target.gke.mode", "Must be autopilot or standard.");
        if (gke.Mode == "standard" && string.IsNullOrEmpty(gke.Location) && gke.Tpu?.Zones is not { Count: > 0 })
            errors.Add("target.gke.location", "Required in standard mode (the node pool's zone), unless tpu.zones lists the zones.");
        if (gke.Tpu is null) errors.Add("target.gke.tpu", "Must be an object, not null.");
        else if (gke.Tpu.Nodes is < 1 or > 256) errors.Add("target.gke.tpu.nodes", "Must be between 1 and 256.");
        ValidateTokenReference(gke.HuggingFaceToken, "target.gke.huggingFaceToken", errors);
        if (gke.Conversion is not ("" or GkeConversions.Runner or GkeConversions.Cluster))
            errors.Add("target.gke.conversion", "Must be runner or cluster (empty: runner, except for gemma).");
        else if (gke.Conversion == GkeConversions.Runner && family == "gemma")
            errors.Add("target.gke.conversion", "JetStream-PyTorch converts Gemma from its PyTorch checkpoint (google/gemma-7b-it-pytorch), which the runner cannot read: use conversion: cluster.");
    }

    // model.load: server changes only the Kubernetes manifests; elsewhere it would be accepted and ignored.
    private static void ValidateLoad(RolloutSpec spec, ValidationErrors errors)
    {
        var load = spec.Model?.Load;
        if (load is null or ModelSpec.LoadBucket) return;
        if (load != ModelSpec.LoadServer) { errors.Add("model.load", $"Must be {ModelSpec.LoadBucket} or {ModelSpec.LoadServer}."); return; }
        if (spec.Target?.Kind is not (TargetKinds.Gke or TargetKinds.Kubernetes))
            errors.Add("model.load", $"server (the JetStream-PyTorch server downloads with --model_id) applies to kubernetes and gke targets; a {spec.Target?.Kind} target loads from its artifacts. Remove model.load.");
        else if (spec.Model?.Source?.StartsWith("hf://", StringComparison.Ordinal) != true)
            errors.Add("model.load", "server downloads from Hugging Face: model.source must be hf://org/name[@revision].");
        else if (CloudTargets.Kubernetes.ServerModels.For(spec.Model.Family, spec.Model.Size) is var ids
            && !ids.Contains(spec.Model.Source[5..].Split('@')[0]))
            errors.Add("model.load", ids.Count == 0
                ? $"server: the JetStream-PyTorch server has no --model_id for {spec.Model.Family} {spec.Model.Size}; use model.load: bucket."
                : $"server: the JetStream-PyTorch server knows {spec.Model.Family} {spec.Model.Size} as {string.Join(" or ", ids)}; give model.source hf://<one of them>.");
        else if (spec.Model.Source.Split('@') is [_, var revision] && revision != "main")
            errors.Add("model.load", $"server passes only --model_id: the server downloads the default branch, not revision {revision}. Use model.load: bucket to pin a revision.");
    }

    // The spec is stored and shown: it may name where the token is, never hold it.
    // Whether a secret:// reference names a stored secret is checked where the rollout is written (RolloutService).
    private static void ValidateTokenReference(string? reference, string path, ValidationErrors errors)
    {
        if (reference is not null && reference.StartsWith("hf_", StringComparison.Ordinal))
            errors.Add(path, $"Looks like a Hugging Face token itself; give a reference (file:///path, or {SecretReference.Scheme}NAME after 'orchestrator secrets set NAME').");
        else if (SecretReference.IsSecret(reference) && !SecretReference.IsValidName(SecretReference.NameOf(reference!)))
            errors.Add(path, $"{SecretReference.Scheme}NAME: the name must be {SecretReference.NameRule}.");
    }

    private static void ValidateStrategy(StrategySpec? strategy, string targetKind, ValidationErrors errors)
    {
        if (!Present(strategy, "strategy", errors) || strategy!.Canary is not { } canary) return;
        if (canary.Steps is null) { errors.Add("strategy.canary.steps", "Must be a list."); return; }
        if (canary.ProgressDeadline is { } deadline && !Durations.TryParse(deadline, out _))
            errors.Add("strategy.canary.progressDeadline", "Must be a duration such as 10m.");
        if (canary.BackgroundAnalysis is { } background)
            AnalysisValidator.Validate(background, "strategy.canary.backgroundAnalysis", background: true, targetKind, errors);
        for (var i = 0; i < canary.Steps.Count; i++)
        {
            var path = $"strategy.canary.steps[{i}]";
            var step = canary.Steps[i];
            if (step is null) { errors.Add(path, "Must be an object."); continue; }
            var set = (step.Weight is null ? 0 : 1) + (step.Pause is null ? 0 : 1) + (step.Analysis is null ? 0 : 1) + (step.Approval is null ? 0 : 1);
            if (set != 1) errors.Add(path, "Give exactly one of weight, pause, analysis or approval.");
            if (step.Weight is < 0 or > 100) errors.Add($"{path}.weight", "Must be between 0 and 100.");
            if (step.Pause is { Duration: { } pause } && !Durations.TryParse(pause, out _)) errors.Add($"{path}.pause", "Must be a duration such as 30s, 5m or 1h, or {} to wait until promoted.");
            if (step.Analysis is { } analysis) AnalysisValidator.Validate(analysis, $"{path}.analysis", background: false, targetKind, errors);
        }
    }

    // A TTL on a target that is never torn down after a time would be accepted and ignored: the user would believe
    // the environment goes away. Refuse it instead.
    private static void ValidateCleanup(CleanupSpec? cleanup, string targetKind, ValidationErrors errors)
    {
        if (!Present(cleanup, "cleanup", errors)) return;
        if (cleanup!.KeepRevisions is < 0 or > 100) errors.Add("cleanup.keepRevisions", "Must be between 0 and 100.");
        if (cleanup.TeardownAfter is null) return;
        if (targetKind != TargetKinds.Gke)
            errors.Add("cleanup.teardownAfter", $"Only gke environments are torn down after a time (teardown deletes gke resources); a {targetKind} target is never torn down by the orchestrator. Remove teardownAfter.");
        else if (!Durations.TryParse(cleanup.TeardownAfter, out var ttl) || ttl <= TimeSpan.Zero)
            errors.Add("cleanup.teardownAfter", "Must be a positive duration such as 72h.");
    }
}
