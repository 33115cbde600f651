using Runner.Autoscaling;

namespace Runner.Tests.Autoscaling;

/// <summary>The scaling decision alone: samples and the time in, a replica count out.</summary>
public sealed class ScalingDecisionTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 7, 12, 0, 0, TimeSpan.Zero);
    private static readonly ScalingPolicy Policy = new(MinReplicas: 1, MaxReplicas: 3, Target: 2, ScaleDownStabilization: TimeSpan.FromSeconds(30));

    private static MetricSample At(int seconds, int replicas, double value) => new(T0.AddSeconds(seconds), replicas, value);

    [Fact]
    public void OneSampleAboveTarget_DoesNotScaleYet()
    {
        Assert.Equal(1, ScalingDecision.Desired(Policy, 1, [At(0, 1, 6)], T0));
    }

    [Fact]
    public void TwoSamplesAboveTarget_ScalesUpProportionally()
    {
        // ceil(1 × 5 / 2) = 3 and ceil(1 × 3 / 2) = 2: the smaller ask.
        Assert.Equal(2, ScalingDecision.Desired(Policy, 1, [At(0, 1, 5), At(2, 1, 3)], T0.AddSeconds(2)));
        Assert.Equal(3, ScalingDecision.Desired(Policy, 1, [At(0, 1, 5), At(2, 1, 5)], T0.AddSeconds(2)));
    }

    [Fact]
    public void ScaleUp_IsCappedAtMax()
    {
        Assert.Equal(3, ScalingDecision.Desired(Policy, 2, [At(0, 2, 40), At(2, 2, 40)], T0.AddSeconds(2)));
    }

    [Fact]
    public void AboveThenBelow_DoesNotScaleUp()
    {
        Assert.Equal(1, ScalingDecision.Desired(Policy, 1, [At(0, 1, 8), At(2, 1, 0)], T0.AddSeconds(2)));
    }

    [Theory]
    [InlineData(2.1)]
    [InlineData(1.9)]
    public void WithinTolerance_KeepsTheCount(double value)
    {
        Assert.Equal(2, ScalingDecision.Desired(Policy, 2, [At(0, 2, value), At(2, 2, value)], T0.AddSeconds(60)));
    }

    [Fact]
    public void BelowTarget_ScalesDownOnlyOnceTheWindowIsCovered()
    {
        var samples = Enumerable.Range(0, 16).Select(i => At(2 * i, 3, 0)).ToList();

        Assert.Equal(3, ScalingDecision.Desired(Policy, 3, samples.Take(10).ToList(), T0.AddSeconds(18)));
        Assert.Equal(3, ScalingDecision.Desired(Policy, 3, samples.Take(15).ToList(), T0.AddSeconds(29)));
        Assert.Equal(1, ScalingDecision.Desired(Policy, 3, samples, T0.AddSeconds(30)));
    }

    [Fact]
    public void ScaleDown_GoesToTheLargestAskInTheWindow()
    {
        // One sample in the window still asks for ceil(3 × 1.2 / 2) = 2.
        var samples = new List<MetricSample> { At(0, 3, 0), At(10, 3, 1.2), At(20, 3, 0), At(30, 3, 0), At(40, 3, 0) };

        Assert.Equal(2, ScalingDecision.Desired(Policy, 3, samples, T0.AddSeconds(40)));
        Assert.Equal(1, ScalingDecision.Desired(Policy, 3, samples, T0.AddSeconds(41)));
    }

    [Fact]
    public void ScaleDown_NeverBelowMin_AndAZeroWindowActsOnTheLatestSample()
    {
        var policy = Policy with { MinReplicas = 2, ScaleDownStabilization = TimeSpan.Zero };

        Assert.Equal(2, ScalingDecision.Desired(policy, 3, [At(0, 3, 0)], T0));
    }

    [Theory]
    [InlineData(0, 1)]
    [InlineData(5, 3)]
    public void OutOfRange_GoesBackIntoIt(int current, int expected)
    {
        Assert.Equal(expected, ScalingDecision.Desired(Policy, current, [], T0));
    }

    [Fact]
    public void NoSamples_KeepsTheCount()
    {
        Assert.Equal(2, ScalingDecision.Desired(Policy, 2, [], T0.AddHours(1)));
    }
}
