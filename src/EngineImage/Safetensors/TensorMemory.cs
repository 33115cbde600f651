using TorchSharp;

namespace EngineImage.Safetensors;

/// <summary>Raw access to a contiguous CPU tensor's bytes in chunks (a span holds at most 2 GiB, a tensor may hold more).</summary>
internal static class TensorMemory
{
    private const long ChunkBytes = 1L << 28;

    public static unsafe void CopyFrom(byte* source, torch.Tensor destination)
    {
        using var flat = destination.view(-1);
        var elementSize = destination.element_size();
        var perChunk = Math.Max(1, ChunkBytes / elementSize);
        for (long start = 0; start < flat.shape[0]; start += perChunk)
        {
            using var piece = flat.narrow(0, start, Math.Min(perChunk, flat.shape[0] - start));
            var span = piece.bytes;
            new ReadOnlySpan<byte>(source + start * elementSize, span.Length).CopyTo(span);
        }
    }

    public static void WriteTo(Stream stream, torch.Tensor tensor)
    {
        using var contiguous = tensor.contiguous();
        using var flat = contiguous.view(-1);
        var perChunk = Math.Max(1, ChunkBytes / tensor.element_size());
        for (long start = 0; start < flat.shape[0]; start += perChunk)
        {
            using var piece = flat.narrow(0, start, Math.Min(perChunk, flat.shape[0] - start));
            stream.Write(piece.bytes);
        }
    }
}
