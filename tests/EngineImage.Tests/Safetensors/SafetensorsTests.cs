using System.Text.Json.Nodes;
using EngineImage.Safetensors;
using static TorchSharp.torch;

namespace EngineImage.Tests.Safetensors;

public sealed class SafetensorsTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("safetensors-tests-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static List<KeyValuePair<string, Tensor>> Sample() =>
    [
        new("f32", arange(0, 12, dtype: float32).view(3, 4).div(7)),
        new("bf16", arange(0, 6, dtype: float32).sub(2.5).to(bfloat16)),
        new("f16", arange(0, 5, dtype: float32).mul(0.3).to(float16).view(5, 1)),
        new("i8", tensor(new sbyte[] { -128, -1, 0, 1, 127 })),
        new("empty", zeros(0, 3, dtype: float32)),
    ];

    [Fact]
    public void WriteThenOpen_EveryDType_ReadsTheSameValuesShapesAndMetadata()
    {
        var path = Path.Combine(_dir, "model.safetensors");
        var tensors = Sample();
        SafetensorsWriter.Write(path, tensors, new Dictionary<string, string> { ["format"] = "pt" });
        using var file = SafetensorsFile.Open(path);
        Assert.Equal("pt", file.Metadata["format"]);
        Assert.Equal(["BF16", "F16", "F32", "I8", "F32"], new[] { "bf16", "f16", "f32", "i8", "empty" }.Select(n => file.Tensors[n].DType));
        foreach (var (name, expected) in tensors)
        {
            using var actual = file.Read(name);
            Assert.Equal(expected.dtype, actual.dtype);
            Assert.Equal(expected.shape, actual.shape);
            Assert.True(actual.equal(expected).all().item<bool>(), name);
        }
        // The data starts 8-byte aligned, as the reference implementation writes it.
        Assert.Equal(0, BitConverter.ToInt64(File.ReadAllBytes(path).AsSpan(0, 8)) % 8);
    }

    [Fact]
    public void Open_ShardedIndex_ReadsTensorsFromEveryShard()
    {
        var tensors = Sample();
        SafetensorsWriter.Write(Path.Combine(_dir, "model-00001-of-00002.safetensors"), tensors.Take(2).ToList());
        SafetensorsWriter.Write(Path.Combine(_dir, "model-00002-of-00002.safetensors"), tensors.Skip(2).ToList());
        var map = new JsonObject();
        foreach (var (name, _) in tensors.Take(2)) map[name] = "model-00001-of-00002.safetensors";
        foreach (var (name, _) in tensors.Skip(2)) map[name] = "model-00002-of-00002.safetensors";
        File.WriteAllText(Path.Combine(_dir, "model.safetensors.index.json"), new JsonObject { ["weight_map"] = map }.ToJsonString());
        using var checkpoint = SafetensorsCheckpoint.Open(_dir);
        Assert.Equal(2, checkpoint.FilePaths.Count);
        foreach (var (name, expected) in tensors)
        {
            using var actual = checkpoint.Read(name);
            Assert.True(actual.equal(expected).all().item<bool>(), name);
        }
    }

    [Fact]
    public void Open_ShardMissing_ThrowsNamingIt()
    {
        File.WriteAllText(Path.Combine(_dir, "model.safetensors.index.json"), """{"weight_map":{"a":"gone.safetensors"}}""");
        var e = Assert.Throws<FileNotFoundException>(() => SafetensorsCheckpoint.Open(_dir));
        Assert.Contains("gone.safetensors", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("length")]
    [InlineData("json")]
    [InlineData("offsets")]
    [InlineData("truncated")]
    public void Open_CorruptFile_ThrowsInvalidData(string damage)
    {
        var path = Path.Combine(_dir, "model.safetensors");
        SafetensorsWriter.Write(path, Sample());
        var bytes = File.ReadAllBytes(path);
        var headerLength = (int)BitConverter.ToInt64(bytes.AsSpan(0, 8));
        switch (damage)
        {
            case "length": BitConverter.TryWriteBytes(bytes.AsSpan(0, 8), (long)bytes.Length * 2); break;
            case "json": bytes[8] = (byte)'['; break;
            case "offsets":
                var header = System.Text.Encoding.UTF8.GetString(bytes, 8, headerLength).Replace("[0,48]", "[0,44]", StringComparison.Ordinal);
                System.Text.Encoding.UTF8.GetBytes(header).CopyTo(bytes, 8);
                break;
            case "truncated": bytes = bytes[..(bytes.Length - 4)]; break;
        }
        File.WriteAllBytes(path, bytes);
        Assert.Throws<InvalidDataException>(() => SafetensorsFile.Open(path).Dispose());
    }
}
