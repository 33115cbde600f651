namespace Runner.Autoscaling;

/// <summary>
/// How many engines a revision should have, as the Kubernetes HPA computes it: each sample recommends
/// <c>ceil(replicas × value ÷ target)</c> within the range (none within the HPA's 10 % tolerance of the target). Up fast:
/// when the last two samples both ask for more, to the smaller of their two asks. Down slowly: only once the samples have
/// covered the whole stabilisation window and all of them in it ask for fewer, to the largest of those asks. A count
/// outside the range goes back into it at once. Pure: the samples (taken at the current count, oldest first; the caller
/// starts them afresh after every change) and the time decide.
/// </summary>
internal static class ScalingDecision
{
    public const double Tolerance = 0.1;

    public static int Desired(ScalingPolicy policy, int current, IReadOnlyList<MetricSample> samples, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(samples);
        if (current < policy.MinReplicas) return policy.MinReplicas;
        if (current > policy.MaxReplicas) return policy.MaxReplicas;
        if (samples.Count >= 2)
        {
            var up = Math.Min(Recommend(policy, samples[^1]), Recommend(policy, samples[^2]));
            if (up > current) return up;
        }

        if (samples.Count == 0 || samples[0].At > now - policy.ScaleDownStabilization) return current;
        var inWindow = samples.Where(s => s.At >= now - policy.ScaleDownStabilization).ToList();
        if (inWindow.Count == 0) inWindow.Add(samples[^1]);
        var down = inWindow.Max(s => Recommend(policy, s));
        return Math.Min(down, current);
    }

    /// <summary>One sample's ask, within the range.</summary>
    public static int Recommend(ScalingPolicy policy, MetricSample sample)
    {
        ArgumentNullException.ThrowIfNull(policy);
        var ratio = sample.Value / policy.Target;
        var wanted = Math.Abs(ratio - 1) <= Tolerance ? sample.Replicas : (int)Math.Ceiling(sample.Replicas * ratio);
        return Math.Clamp(wanted, policy.MinReplicas, policy.MaxReplicas);
    }
}
