using TorchSharp;

namespace EngineImage.Model;

/// <summary>
/// Symmetric int8 quantization per output channel (row), as JetStream-PyTorch does it:
/// <c>scale = max|w| over the row / 127</c> floored at 1e-5, <c>q = clamp(round(w / scale), -128, 127)</c>,
/// so that <c>|w - q * scale| ≤ scale / 2</c> everywhere. Scales are float32, one per row.
/// </summary>
public static class Int8Quantizer
{
    public const float MinScale = 1e-5f;

    public static (torch.Tensor Q, torch.Tensor Scale) Quantize(torch.Tensor weight)
    {
        ArgumentNullException.ThrowIfNull(weight);
        using var scope = torch.NewDisposeScope();
        var w = weight.to(torch.float32);
        var scale = w.abs().amax([1]).div(127f).clamp_min(MinScale);
        var q = w.div(scale.unsqueeze(1)).round().clamp(-128, 127).to(torch.int8);
        return (q.MoveToOuterDisposeScope(), scale.MoveToOuterDisposeScope());
    }

    /// <summary><c>q * scale</c> per row, in <paramref name="dtype"/>.</summary>
    public static torch.Tensor Dequantize(torch.Tensor q, torch.Tensor scale, torch.ScalarType dtype)
    {
        ArgumentNullException.ThrowIfNull(q);
        ArgumentNullException.ThrowIfNull(scale);
        using var scope = torch.NewDisposeScope();
        return q.to(torch.float32).mul(scale.to(torch.float32).unsqueeze(1)).to(dtype).MoveToOuterDisposeScope();
    }
}
