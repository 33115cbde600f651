using static TorchSharp.torch;

namespace EngineImage.Model;

/// <summary>
/// RoPE in the "rotate half" layout that Hugging Face's Llama and Gemma use: dimension i pairs with i + headDim/2,
/// inverse frequency <c>theta^(-2i/headDim)</c>. Because the engine uses the same pairing as HF checkpoints, the
/// converter copies q/k weights unpermuted (JetStream's interleaved layout would need the permutation); the
/// reference-forward test, written in HF's formulation over HF-named weights, proves the two agree.
/// </summary>
internal sealed class RotaryEmbedding : IDisposable
{
    private readonly Tensor _cos;
    private readonly Tensor _sin;

    public RotaryEmbedding(int headDim, int maxPositions, double theta, ScalarType dtype, Llama3RopeScaling? scaling = null)
    {
        using var scope = NewDisposeScope();
        var invFreq = tensor(InverseFrequencies(headDim, theta, scaling), dtype: float64);
        var angles = arange(0, maxPositions, dtype: float64).unsqueeze(1).mul(invFreq.unsqueeze(0));
        var full = cat([angles, angles], 1);
        _cos = full.cos().to(float32).to(dtype).MoveToOuterDisposeScope();
        _sin = full.sin().to(float32).to(dtype).MoveToOuterDisposeScope();
    }

    /// <summary><c>theta^(-2i/headDim)</c> for i in [0, headDim/2), scaled by <paramref name="scaling"/> when given.</summary>
    public static double[] InverseFrequencies(int headDim, double theta, Llama3RopeScaling? scaling)
    {
        var invFreq = new double[headDim / 2];
        for (var i = 0; i < invFreq.Length; i++) invFreq[i] = 1.0 / Math.Pow(theta, 2.0 * i / headDim);
        scaling?.Apply(invFreq);
        return invFreq;
    }

    /// <summary>cos and sin at <paramref name="positions"/> [B, T] (int64), shaped [B, T, 1, D] to broadcast over heads;
    /// looked up once per forward and shared by every layer.</summary>
    public (Tensor Cos, Tensor Sin) At(Tensor positions)
    {
        var flat = positions.reshape(-1);
        return (_cos.index_select(0, flat).view(positions.shape[0], positions.shape[1], 1, -1),
            _sin.index_select(0, flat).view(positions.shape[0], positions.shape[1], 1, -1));
    }

    /// <summary>Rotates x [B, T, heads, D] by the tables from <see cref="At"/>.</summary>
    public static Tensor Apply(Tensor x, (Tensor Cos, Tensor Sin) table)
    {
        using var scope = NewDisposeScope();
        var (cos, sin) = table;
        var half = x.shape[3] / 2;
        var x1 = x.narrow(3, 0, half);
        var x2 = x.narrow(3, half, half);
        var rotated = cat([x2.neg(), x1], 3);
        return x.mul(cos).add(rotated.mul(sin)).MoveToOuterDisposeScope();
    }

    public void Dispose()
    {
        _cos.Dispose();
        _sin.Dispose();
    }
}
