using TorchSharp;

namespace EngineImage.Safetensors;

/// <summary>The safetensors dtype names and their TorchSharp equivalents.</summary>
internal static class SafetensorsDType
{
    public static torch.ScalarType ToScalarType(string dtype) => dtype switch
    {
        "F32" => torch.ScalarType.Float32,
        "BF16" => torch.ScalarType.BFloat16,
        "F16" => torch.ScalarType.Float16,
        "F64" => torch.ScalarType.Float64,
        "I8" => torch.ScalarType.Int8,
        "U8" => torch.ScalarType.Byte,
        "I16" => torch.ScalarType.Int16,
        "I32" => torch.ScalarType.Int32,
        "I64" => torch.ScalarType.Int64,
        "BOOL" => torch.ScalarType.Bool,
        _ => throw new InvalidDataException($"unsupported safetensors dtype '{dtype}'"),
    };

    public static string FromScalarType(torch.ScalarType type) => type switch
    {
        torch.ScalarType.Float32 => "F32",
        torch.ScalarType.BFloat16 => "BF16",
        torch.ScalarType.Float16 => "F16",
        torch.ScalarType.Float64 => "F64",
        torch.ScalarType.Int8 => "I8",
        torch.ScalarType.Byte => "U8",
        torch.ScalarType.Int16 => "I16",
        torch.ScalarType.Int32 => "I32",
        torch.ScalarType.Int64 => "I64",
        torch.ScalarType.Bool => "BOOL",
        _ => throw new ArgumentException($"no safetensors dtype for {type}", nameof(type)),
    };

    public static int ElementSize(string dtype) => dtype switch
    {
        "F64" or "I64" => 8,
        "F32" or "I32" => 4,
        "BF16" or "F16" or "I16" => 2,
        "I8" or "U8" or "BOOL" => 1,
        _ => throw new InvalidDataException($"unsupported safetensors dtype '{dtype}'"),
    };
}
