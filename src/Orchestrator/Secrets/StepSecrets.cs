using System.Text.Json;
using Contracts;
using Contracts.Specs;

namespace Orchestrator.Secrets;

/// <summary>
/// The secret values a claimed step is given: only the steps that read the Hugging Face token (creating its Kubernetes
/// Secret, or downloading the checkpoint they convert), only the secrets the spec names, keyed by their reference.
/// A name that is no longer stored is left out: the runner fails the step naming it.
/// </summary>
public sealed class StepSecrets(SecretStore store)
{
    private static readonly HashSet<string> Readers = new(StringComparer.Ordinal) { StepKinds.SecretEnsure, StepKinds.CheckpointConvert };

    public static bool Reads(string kind) => Readers.Contains(kind);

    public async Task<IReadOnlyDictionary<string, string>> ForAsync(string kind, string specJson, CancellationToken cancellationToken)
    {
        if (!Reads(kind)) return new Dictionary<string, string>();
        var spec = JsonSerializer.Deserialize<RolloutSpec>(specJson, ContractJson.Options) ?? new RolloutSpec();
        var names = SpecSecrets.Of(spec).Select(r => r.Name).Distinct(StringComparer.Ordinal).ToList();
        var values = await store.RevealAsync(names, cancellationToken);
        return values.ToDictionary(v => SecretReference.For(v.Key), v => v.Value, StringComparer.Ordinal);
    }
}
