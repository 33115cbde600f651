using System.Text.Json;
using Contracts;
using Contracts.Specs;

namespace Orchestrator.Secrets;

/// <summary>
/// The secret values a claimed step is given: only the steps that read the Hugging Face token (see <see cref="Reads"/>),
/// only the secrets the spec names, keyed by their reference.
/// A name that is no longer stored is left out: the runner fails the step naming it.
/// </summary>
public sealed class StepSecrets(SecretStore store)
{
    /// <summary>Whether a step of <paramref name="kind"/> reads the spec's token: <c>secret.ensure</c> writes it into
    /// the cluster; <c>checkpoint.convert</c> downloads with it where the runner converts (local, gke with
    /// <c>conversion: runner</c>), while a converter Job in the cluster reads the Kubernetes Secret instead.</summary>
    public static bool Reads(string kind, RolloutSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        return kind switch
        {
            StepKinds.SecretEnsure => true,
            StepKinds.CheckpointConvert => spec.Target.Kind == TargetKinds.Local || (spec.Target.Kind == TargetKinds.Gke && GkeConversions.ByRunner(spec)),
            _ => false,
        };
    }

    public async Task<IReadOnlyDictionary<string, string>> ForAsync(string kind, string specJson, CancellationToken cancellationToken)
    {
        if (kind is not (StepKinds.SecretEnsure or StepKinds.CheckpointConvert)) return new Dictionary<string, string>();
        var spec = JsonSerializer.Deserialize<RolloutSpec>(specJson, ContractJson.Options) ?? new RolloutSpec();
        if (!Reads(kind, spec)) return new Dictionary<string, string>();
        var names = SpecSecrets.Of(spec).Select(r => r.Name).Distinct(StringComparer.Ordinal).ToList();
        var values = await store.RevealAsync(names, cancellationToken);
        return values.ToDictionary(v => SecretReference.For(v.Key), v => v.Value, StringComparer.Ordinal);
    }
}
