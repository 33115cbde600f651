using EngineImage.Model;

namespace EngineImage.Tests.Model;

/// <summary>Llama 3.1's rope_scaling against values computed here, step by step as transformers'
/// <c>_compute_llama3_parameters</c> writes them (vectorised: scale all, smooth all, then pick per band).</summary>
public sealed class RopeScalingTests
{
    // Llama 3.1 8B's config.json: rope_theta 500000, head_dim 128, factor 8, low 1, high 4, original 8192.
    private static readonly Llama3RopeScaling Llama31 = new(8, 1, 4, 8192);

    private static double[] Expected(int dim, double theta, double factor, double low, double high, double original)
    {
        var n = dim / 2;
        var invFreq = Enumerable.Range(0, n).Select(i => Math.Pow(theta, -(2.0 * i) / dim)).ToArray();
        var lowWavelen = original / low;
        var highWavelen = original / high;
        var result = new double[n];
        for (var i = 0; i < n; i++)
        {
            var wavelen = 2 * Math.PI / invFreq[i];
            var llama = wavelen > lowWavelen ? invFreq[i] / factor : invFreq[i];
            var smooth = (original / wavelen - low) / (high - low);
            var smoothed = (1 - smooth) * llama / factor + smooth * llama;
            var isMedium = !(wavelen < highWavelen) && !(wavelen > lowWavelen);
            result[i] = isMedium ? smoothed : llama;
        }
        return result;
    }

    [Fact]
    public void InverseFrequencies_Llama31_MatchTransformersFormula()
    {
        var actual = RotaryEmbedding.InverseFrequencies(128, 500000, Llama31);
        var expected = Expected(128, 500000, 8, 1, 4, 8192);
        Assert.Equal(64, actual.Length);
        for (var i = 0; i < 64; i++) Assert.Equal(expected[i], actual[i], 1e-15);
        // The three bands: high frequencies kept, low ones divided by the factor, some in between.
        Assert.Equal(1.0, actual[0]);
        Assert.Equal(Math.Pow(500000, -126.0 / 128) / 8, actual[63], 1e-18);
        var plain = RotaryEmbedding.InverseFrequencies(128, 500000, null);
        Assert.Contains(Enumerable.Range(0, 64), i => actual[i] < plain[i] && actual[i] > plain[i] / 8);
    }

    [Theory]
    [InlineData(64, 500000.0, 32.0, 1.0, 4.0, 8192)] // Llama 3.2 1B/3B: head_dim 64, factor 32
    [InlineData(16, 500000.0, 8.0, 2.0, 8.0, 1024)]
    public void InverseFrequencies_OtherSettings_MatchTransformersFormula(int dim, double theta, double factor, double low, double high, int original)
    {
        var actual = RotaryEmbedding.InverseFrequencies(dim, theta, new Llama3RopeScaling(factor, low, high, original));
        var expected = Expected(dim, theta, factor, low, high, original);
        for (var i = 0; i < expected.Length; i++) Assert.Equal(expected[i], actual[i], 1e-15);
    }
}
