using TorchSharp;
using static TorchSharp.torch;

namespace EngineImage.Tests.Fixtures;

internal static class TensorAssert
{
    /// <summary>max |actual - expected| / max |expected|.</summary>
    public static double RelativeError(Tensor actual, Tensor expected)
    {
        using var scope = NewDisposeScope();
        var diff = actual.to(float64).sub(expected.to(float64)).abs().max().item<double>();
        return diff / expected.to(float64).abs().max().item<double>();
    }

    public static void Close(Tensor actual, Tensor expected, double relative)
    {
        Assert.Equal(expected.shape, actual.shape);
        var error = RelativeError(actual, expected);
        Assert.True(error <= relative, $"relative error {error:E3} exceeds {relative:E1}");
    }

    /// <summary>Cosine similarity of each row of a and b [N, vocab]; the smallest.</summary>
    public static double MinRowCosine(Tensor a, Tensor b)
    {
        using var scope = NewDisposeScope();
        var x = a.to(float64);
        var y = b.to(float64);
        var cos = x.mul(y).sum([-1]).div(x.pow(2).sum([-1]).sqrt().mul(y.pow(2).sum([-1]).sqrt()));
        return cos.min().item<double>();
    }
}
