using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using TorchSharp;

namespace EngineImage.Kernels;

/// <summary>The address of a contiguous CPU tensor's first element. libtorch's CPU storage does not move, so the
/// address stays valid for as long as the tensor is alive; the caller keeps it alive.</summary>
internal static class TensorPointer
{
    public static unsafe void* Of(torch.Tensor tensor)
    {
        if (!tensor.is_contiguous()) throw new ArgumentException("the tensor is not contiguous", nameof(tensor));
        if (tensor.NumberOfElements == 0) throw new ArgumentException("the tensor is empty", nameof(tensor));
        // A one-element view keeps the span short whatever the tensor's size (a span holds at most 2 GiB).
        using var first = tensor.view(-1).narrow(0, 0, 1);
        return Unsafe.AsPointer(ref MemoryMarshal.GetReference(first.bytes));
    }
}
