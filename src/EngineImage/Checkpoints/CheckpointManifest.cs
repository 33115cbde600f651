using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace EngineImage.Checkpoints;

/// <summary>
/// <c>manifest.json</c> beside a converted checkpoint:
/// <c>{"family":"llama-3","size":"tiny","dtype":"bfloat16","quantization":"none|int8","files":{"model.safetensors":"&lt;sha256 hex&gt;","tokenizer.model":"&lt;sha256 hex&gt;"},"layout":"engine|jetstream-pytorch"}</c>.
/// </summary>
public sealed record CheckpointManifest(
    [property: JsonPropertyName("family")] string Family,
    [property: JsonPropertyName("size")] string Size,
    [property: JsonPropertyName("dtype")] string DType,
    [property: JsonPropertyName("quantization")] string Quantization,
    [property: JsonPropertyName("files")] IReadOnlyDictionary<string, string> Files,
    [property: JsonPropertyName("layout")] string Layout = CheckpointLayouts.EngineName)
{
    public const string FileName = "manifest.json";

    private static readonly JsonSerializerOptions Options = new() { WriteIndented = true };

    public void Write(string directory) =>
        File.WriteAllText(Path.Combine(directory, FileName), JsonSerializer.Serialize(this, Options));

    public static CheckpointManifest Read(string path)
    {
        try
        {
            return JsonSerializer.Deserialize<CheckpointManifest>(File.ReadAllText(path))
                ?? throw new InvalidDataException($"{path} is empty");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path} is not a valid manifest ({e.Message})", e);
        }
    }

    public static string Sha256(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }
}
