using System.Text;
using System.Text.Json;
using TorchSharp;

namespace EngineImage.Safetensors;

/// <summary>
/// Writes tensors to a safetensors file. The header is computed from the tensors' dtypes and shapes first, then the
/// data is streamed tensor by tensor, so memory use stays at one tensor. The file appears only once complete
/// (written beside it and moved into place).
/// </summary>
public static class SafetensorsWriter
{
    public static void Write(string path, IReadOnlyList<KeyValuePair<string, torch.Tensor>> tensors,
        IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        var byName = tensors.ToDictionary(t => t.Key, t => t.Value, StringComparer.Ordinal);
        Write(path, tensors.Select(t => t.Key).ToList(),
            n => (SafetensorsDType.FromScalarType(byName[n].dtype), byName[n].shape),
            n => byName[n], disposeProduced: false, metadata);
    }

    /// <summary>Writes tensors named <paramref name="names"/>: <paramref name="describe"/> gives each one's dtype and shape
    /// for the header, then <paramref name="produce"/> makes each just before it is written (disposed after when
    /// <paramref name="disposeProduced"/>), so a converter holds one tensor at a time.</summary>
    public static void Write(string path, IReadOnlyList<string> names, Func<string, (string DType, long[] Shape)> describe,
        Func<string, torch.Tensor> produce, bool disposeProduced, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(names);
        ArgumentNullException.ThrowIfNull(describe);
        ArgumentNullException.ThrowIfNull(produce);
        var entries = new List<TensorEntry>(names.Count);
        long offset = 0;
        foreach (var name in names)
        {
            var (dtype, shape) = describe(name);
            var bytes = shape.Aggregate(1L, (a, b) => a * b) * SafetensorsDType.ElementSize(dtype);
            entries.Add(new TensorEntry(name, dtype, shape, offset, offset + bytes));
            offset += bytes;
        }
        var header = BuildHeader(entries, metadata);
        var tmp = path + ".partial";
        // Readable while it is written: the runner uploads a conversion as it comes (see Runner.Gke.GrowingFileStream).
        using (var fs = new FileStream(tmp, FileMode.Create, FileAccess.Write, FileShare.Read, 1 << 20))
        {
            Span<byte> len = stackalloc byte[8];
            BitConverter.TryWriteBytes(len, (long)header.Length);
            fs.Write(len);
            fs.Write(header);
            foreach (var entry in entries)
            {
                var tensor = produce(entry.Name);
                try
                {
                    if (SafetensorsDType.FromScalarType(tensor.dtype) != entry.DType || !tensor.shape.SequenceEqual(entry.Shape))
                        throw new InvalidOperationException($"tensor {entry.Name} is not the {entry.DType}[{string.Join(",", entry.Shape)}] described");
                    if (entry.ByteLength > 0) TensorMemory.WriteTo(fs, tensor);
                }
                finally
                {
                    if (disposeProduced) tensor.Dispose();
                }
            }
        }
        File.Move(tmp, path, overwrite: true);
    }

    private static byte[] BuildHeader(List<TensorEntry> entries, IReadOnlyDictionary<string, string>? metadata)
    {
        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms))
        {
            w.WriteStartObject();
            if (metadata is { Count: > 0 })
            {
                w.WriteStartObject("__metadata__");
                foreach (var (k, v) in metadata) w.WriteString(k, v);
                w.WriteEndObject();
            }
            foreach (var e in entries)
            {
                w.WriteStartObject(e.Name);
                w.WriteString("dtype", e.DType);
                w.WriteStartArray("shape");
                foreach (var d in e.Shape) w.WriteNumberValue(d);
                w.WriteEndArray();
                w.WriteStartArray("data_offsets");
                w.WriteNumberValue(e.Begin);
                w.WriteNumberValue(e.End);
                w.WriteEndArray();
                w.WriteEndObject();
            }
            w.WriteEndObject();
        }
        // Pad with spaces so the data starts 8-byte aligned, as the reference implementation does.
        var json = ms.ToArray();
        var padded = (json.Length + 7) / 8 * 8;
        var header = new byte[padded];
        json.CopyTo(header, 0);
        Array.Fill(header, (byte)' ', json.Length, padded - json.Length);
        return header;
    }
}
