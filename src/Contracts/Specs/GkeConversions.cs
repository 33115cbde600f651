namespace Contracts.Specs;

/// <summary>The values of <c>target.gke.conversion</c>, and who converts when it is left empty.</summary>
public static class GkeConversions
{
    public const string Runner = "runner";
    public const string Cluster = "cluster";

    /// <summary>Whether the runner converts: asked for, or left empty for a model other than Gemma (JetStream-PyTorch
    /// converts Gemma from its PyTorch checkpoint, which only the converter Job reads).</summary>
    public static bool ByRunner(RolloutSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        if (spec.Target?.Kind != TargetKinds.Gke || spec.Target.Gke is not { } gke) return false;
        return gke.Conversion == Runner || (gke.Conversion.Length == 0 && spec.Model?.Family != "gemma");
    }
}
