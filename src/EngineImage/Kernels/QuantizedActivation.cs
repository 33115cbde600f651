namespace EngineImage.Kernels;

/// <summary>
/// One activation row quantized as llama.cpp's Q8_0 does: blocks of 32 values, each with its own scale
/// <c>s = max|x| / 127</c> and values <c>round(x / s)</c> in [-127, 127]. Holds the signed values, their magnitudes
/// (the unsigned operand of <c>pmaddubsw</c>), the block scales, and the scales spread to one per 32-bit lane of a
/// 64-value AVX-512 chunk (lanes 0-7 sum values 0-31, lanes 8-15 values 32-63).
/// </summary>
internal sealed class QuantizedActivation
{
    public const int Block = 32;

    public QuantizedActivation(int k)
    {
        if (k % Block != 0) throw new ArgumentException($"k {k} is not a multiple of {Block}", nameof(k));
        Values = new sbyte[k];
        Magnitudes = new byte[k];
        Scales = new float[k / Block];
        LaneScales = new float[k / 64 * 16];
    }

    public sbyte[] Values { get; }

    public byte[] Magnitudes { get; }

    public float[] Scales { get; }

    public float[] LaneScales { get; }

    public unsafe void Quantize(float* x)
    {
        for (var b = 0; b < Scales.Length; b++)
        {
            var amax = 0f;
            for (var i = 0; i < Block; i++) amax = Math.Max(amax, Math.Abs(x[b * Block + i]));
            var scale = amax / 127f;
            var inverse = amax > 0 ? 127f / amax : 0f;
            Scales[b] = scale;
            for (var i = 0; i < Block; i++)
            {
                var q = (sbyte)Math.Clamp(MathF.Round(x[b * Block + i] * inverse), -127f, 127f);
                Values[b * Block + i] = q;
                Magnitudes[b * Block + i] = (byte)Math.Abs(q);
            }
        }
        for (var c = 0; c < LaneScales.Length / 16; c++)
        {
            for (var lane = 0; lane < 16; lane++) LaneScales[c * 16 + lane] = Scales[2 * c + lane / 8];
        }
    }
}
