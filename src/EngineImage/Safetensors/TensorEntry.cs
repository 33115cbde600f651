namespace EngineImage.Safetensors;

/// <summary>One tensor's header entry: dtype, shape and byte range relative to the end of the header.</summary>
public sealed record TensorEntry(string Name, string DType, long[] Shape, long Begin, long End)
{
    public long ElementCount => Shape.Aggregate(1L, (a, b) => a * b);
    public long ByteLength => End - Begin;
}
