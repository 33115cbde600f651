using System.Text.Json;
using TorchSharp;

namespace EngineImage.Safetensors;

/// <summary>
/// The tensors of a checkpoint that may be one safetensors file or several shards listed by
/// <c>model.safetensors.index.json</c> (<c>{"weight_map": {tensor: file}}</c>). Opened from a file path or a directory.
/// </summary>
public sealed class SafetensorsCheckpoint : IDisposable
{
    private readonly List<SafetensorsFile> _files;
    private readonly Dictionary<string, SafetensorsFile> _owner;

    public IReadOnlyDictionary<string, TensorEntry> Tensors { get; }

    /// <summary>The <c>__metadata__</c> of all files merged (the first file wins on a clash).</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }
    public IReadOnlyList<string> FilePaths => _files.Select(f => f.Path).ToList();

    private SafetensorsCheckpoint(List<SafetensorsFile> files)
    {
        _files = files;
        _owner = new Dictionary<string, SafetensorsFile>(StringComparer.Ordinal);
        var tensors = new Dictionary<string, TensorEntry>(StringComparer.Ordinal);
        foreach (var file in files)
        {
            foreach (var (name, entry) in file.Tensors)
            {
                if (!_owner.TryAdd(name, file))
                    throw new InvalidDataException($"tensor {name} appears in both {_owner[name].Path} and {file.Path}");
                tensors[name] = entry;
            }
        }
        Tensors = tensors;
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var file in files)
            foreach (var (k, v) in file.Metadata) metadata.TryAdd(k, v);
        Metadata = metadata;
    }

    /// <summary>The safetensors files a checkpoint at <paramref name="path"/> consists of, or an empty list when none.</summary>
    public static IReadOnlyList<string> ListFiles(string path)
    {
        if (File.Exists(path))
            return path.EndsWith(".index.json", StringComparison.Ordinal) ? ShardsOf(path) : [path];
        if (!Directory.Exists(path)) return [];
        var index = System.IO.Path.Combine(path, "model.safetensors.index.json");
        if (File.Exists(index)) return ShardsOf(index);
        var single = System.IO.Path.Combine(path, "model.safetensors");
        if (File.Exists(single)) return [single];
        return Directory.GetFiles(path, "*.safetensors").Order(StringComparer.Ordinal).ToList();
    }

    private static List<string> ShardsOf(string indexPath)
    {
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllBytes(indexPath));
            var dir = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(indexPath))!;
            return doc.RootElement.GetProperty("weight_map").EnumerateObject()
                .Select(p => p.Value.GetString() ?? throw new InvalidDataException("empty shard name"))
                .Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)
                .Select(f => System.IO.Path.Combine(dir, f)).ToList();
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            throw new InvalidDataException($"{indexPath}: unreadable index ({e.Message})", e);
        }
    }

    public static SafetensorsCheckpoint Open(string path)
    {
        var paths = ListFiles(path);
        if (paths.Count == 0) throw new FileNotFoundException($"no safetensors checkpoint at {path}");
        var missing = paths.FirstOrDefault(p => !File.Exists(p));
        if (missing is not null) throw new FileNotFoundException($"checkpoint shard missing: {missing}");
        var files = new List<SafetensorsFile>();
        try
        {
            foreach (var p in paths) files.Add(SafetensorsFile.Open(p));
            return new SafetensorsCheckpoint(files);
        }
        catch
        {
            foreach (var f in files) f.Dispose();
            throw;
        }
    }

    public bool Contains(string name) => _owner.ContainsKey(name);

    public torch.Tensor Read(string name) =>
        _owner.TryGetValue(name, out var file) ? file.Read(name) : throw new KeyNotFoundException($"checkpoint has no tensor '{name}'");

    public void Dispose()
    {
        foreach (var f in _files) f.Dispose();
    }
}
