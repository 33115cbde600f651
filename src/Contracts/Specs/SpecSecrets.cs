namespace Contracts.Specs;

/// <summary>The stored secrets a rollout spec refers to, each with the field that names it.</summary>
public static class SpecSecrets
{
    /// <summary>The <c>secret://</c> references of the target's kind (today: its <c>huggingFaceToken</c>).</summary>
    public static IReadOnlyList<(string Field, string Name)> Of(RolloutSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var target = spec.Target;
        var (field, reference) = target?.Kind switch
        {
            TargetKinds.Local => ("target.local.huggingFaceToken", target.Local?.HuggingFaceToken),
            TargetKinds.Kubernetes => ("target.kubernetes.huggingFaceToken", target.Kubernetes?.HuggingFaceToken),
            TargetKinds.Gke => ("target.gke.huggingFaceToken", target.Gke?.HuggingFaceToken),
            _ => ("", null),
        };
        return SecretReference.IsSecret(reference) ? [(field, SecretReference.NameOf(reference!))] : [];
    }
}
