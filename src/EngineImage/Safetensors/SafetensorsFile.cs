using System.IO.MemoryMappedFiles;
using System.Text.Json;
using TorchSharp;

namespace EngineImage.Safetensors;

/// <summary>
/// A safetensors file opened read-only and memory-mapped: 8-byte little-endian header length, a JSON header
/// (<c>{name: {dtype, shape, data_offsets}}</c> plus optional <c>__metadata__</c>), then the raw data.
/// The header is validated at open (offsets in range, sizes matching dtype × shape), so a corrupt file fails early.
/// Reading a tensor copies its bytes into a new CPU tensor; the mapping is released on dispose.
/// </summary>
public sealed unsafe class SafetensorsFile : IDisposable
{
    private const long MaxHeaderBytes = 100L << 20;
    private readonly MemoryMappedFile _map;
    private readonly MemoryMappedViewAccessor _view;
    private readonly byte* _base;
    private readonly long _dataStart;

    public string Path { get; }
    public IReadOnlyDictionary<string, TensorEntry> Tensors { get; }
    public IReadOnlyDictionary<string, string> Metadata { get; }

    private SafetensorsFile(string path, MemoryMappedFile map, MemoryMappedViewAccessor view, long dataStart,
        Dictionary<string, TensorEntry> tensors, Dictionary<string, string> metadata)
    {
        Path = path;
        _map = map;
        _view = view;
        _dataStart = dataStart;
        Tensors = tensors;
        Metadata = metadata;
        byte* p = null;
        _view.SafeMemoryMappedViewHandle.AcquirePointer(ref p);
        _base = p + _view.PointerOffset;
    }

    public static SafetensorsFile Open(string path)
    {
        var length = new FileInfo(path).Length;
        if (length < 8) throw new InvalidDataException($"{path}: too short to be a safetensors file");
        Span<byte> prefix = stackalloc byte[8];
        using (var fs = File.OpenRead(path)) fs.ReadExactly(prefix);
        var headerLength = BitConverter.ToInt64(prefix);
        if (headerLength <= 0 || headerLength > MaxHeaderBytes || 8 + headerLength > length)
            throw new InvalidDataException($"{path}: bad safetensors header length {headerLength}");
        var map = MemoryMappedFile.CreateFromFile(path, FileMode.Open, null, 0, MemoryMappedFileAccess.Read);
        var view = map.CreateViewAccessor(0, length, MemoryMappedFileAccess.Read);
        try
        {
            var header = new byte[headerLength];
            view.ReadArray(8, header, 0, header.Length);
            var (tensors, metadata) = ParseHeader(path, header, length - 8 - headerLength);
            return new SafetensorsFile(path, map, view, 8 + headerLength, tensors, metadata);
        }
        catch
        {
            view.Dispose();
            map.Dispose();
            throw;
        }
    }

    private static (Dictionary<string, TensorEntry>, Dictionary<string, string>) ParseHeader(string path, byte[] header, long dataLength)
    {
        var tensors = new Dictionary<string, TensorEntry>(StringComparer.Ordinal);
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        try
        {
            using var doc = JsonDocument.Parse(header);
            foreach (var prop in doc.RootElement.EnumerateObject())
            {
                if (prop.Name == "__metadata__")
                {
                    foreach (var m in prop.Value.EnumerateObject()) metadata[m.Name] = m.Value.GetString() ?? "";
                    continue;
                }
                var dtype = prop.Value.GetProperty("dtype").GetString() ?? "";
                var shape = prop.Value.GetProperty("shape").EnumerateArray().Select(e => e.GetInt64()).ToArray();
                var offsets = prop.Value.GetProperty("data_offsets").EnumerateArray().Select(e => e.GetInt64()).ToArray();
                if (offsets.Length != 2 || offsets[0] < 0 || offsets[1] < offsets[0] || offsets[1] > dataLength)
                    throw new InvalidDataException($"tensor {prop.Name}: data offsets out of range");
                var entry = new TensorEntry(prop.Name, dtype, shape, offsets[0], offsets[1]);
                if (entry.ElementCount * SafetensorsDType.ElementSize(dtype) != entry.ByteLength)
                    throw new InvalidDataException($"tensor {prop.Name}: {entry.ByteLength} bytes do not hold {dtype}[{string.Join(",", shape)}]");
                tensors[prop.Name] = entry;
            }
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw new InvalidDataException($"{path}: unreadable safetensors header ({e.Message})", e);
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"{path}: {e.Message}", e);
        }
        return (tensors, metadata);
    }

    /// <summary>The tensor's raw bytes, valid while this file is open.</summary>
    public ReadOnlySpan<byte> Bytes(TensorEntry entry) =>
        entry.ByteLength > int.MaxValue
            ? throw new NotSupportedException($"tensor {entry.Name} is over 2 GiB; read it with {nameof(Read)}")
            : new ReadOnlySpan<byte>(_base + _dataStart + entry.Begin, (int)entry.ByteLength);

    /// <summary>Copies the tensor into a new CPU tensor of its stored dtype.</summary>
    public torch.Tensor Read(string name)
    {
        if (!Tensors.TryGetValue(name, out var entry)) throw new KeyNotFoundException($"{Path}: no tensor '{name}'");
        var tensor = torch.empty(entry.Shape, SafetensorsDType.ToScalarType(entry.DType));
        if (entry.ElementCount > 0) TensorMemory.CopyFrom(_base + _dataStart + entry.Begin, tensor);
        return tensor;
    }

    public void Dispose()
    {
        _view.SafeMemoryMappedViewHandle.ReleasePointer();
        _view.Dispose();
        _map.Dispose();
    }
}
