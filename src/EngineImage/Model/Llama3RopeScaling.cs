namespace EngineImage.Model;

/// <summary>
/// Llama 3.1's <c>rope_scaling</c> (<c>rope_type: llama3</c>): long wavelengths are stretched by <see cref="Factor"/>,
/// short ones kept, and the band between <c>original_max_position_embeddings / low_freq_factor</c> and
/// <c>/ high_freq_factor</c> interpolated, as transformers' <c>_compute_llama3_parameters</c> does.
/// </summary>
public sealed record Llama3RopeScaling(double Factor, double LowFreqFactor, double HighFreqFactor, int OriginalMaxPositionEmbeddings)
{
    /// <summary>Scales the inverse frequencies <c>theta^(-2i/headDim)</c> in place; the attention factor stays 1.</summary>
    public void Apply(double[] invFreq)
    {
        ArgumentNullException.ThrowIfNull(invFreq);
        var lowFreqWavelen = OriginalMaxPositionEmbeddings / LowFreqFactor;
        var highFreqWavelen = OriginalMaxPositionEmbeddings / HighFreqFactor;
        for (var i = 0; i < invFreq.Length; i++)
        {
            var wavelen = 2 * Math.PI / invFreq[i];
            if (wavelen > lowFreqWavelen)
            {
                invFreq[i] /= Factor;
            }
            else if (wavelen >= highFreqWavelen)
            {
                var smooth = (OriginalMaxPositionEmbeddings / wavelen - LowFreqFactor) / (HighFreqFactor - LowFreqFactor);
                invFreq[i] = (1 - smooth) * invFreq[i] / Factor + smooth * invFreq[i];
            }
        }
    }

    /// <summary>Throws with a one-line reason when the numbers cannot describe a scaling.</summary>
    public void Validate()
    {
        if (Factor < 1) throw new InvalidDataException($"rope_scaling factor must be at least 1, got {Factor}");
        if (LowFreqFactor <= 0 || HighFreqFactor <= LowFreqFactor)
            throw new InvalidDataException($"rope_scaling needs 0 < low_freq_factor < high_freq_factor, got {LowFreqFactor} and {HighFreqFactor}");
        if (OriginalMaxPositionEmbeddings <= 0)
            throw new InvalidDataException($"rope_scaling original_max_position_embeddings must be positive, got {OriginalMaxPositionEmbeddings}");
    }
}
