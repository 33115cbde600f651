using EngineImage.Safetensors;
using EngineImage.Tokenization;

namespace EngineImage.Checkpoints;

/// <summary>
/// Checks, before a server binds its port, that a checkpoint can be served: the files exist, when a <c>manifest.json</c> lies
/// beside the checkpoint each file it lists has the recorded sha256, every safetensors header parses and is consistent,
/// and the tokenizer loads. Throws <see cref="CheckpointInvalidException"/> with a one-line message.
/// </summary>
public static class CheckpointValidator
{
    /// <param name="checkpointPath">JetStream's <c>--checkpoint_path</c>: a <c>model.safetensors</c> file, a directory, or a
    /// sharded index.</param>
    /// <param name="tokenizerPath">JetStream's <c>--tokenizer_path</c>.</param>
    /// <param name="modelName">When given (<c>llama-3</c>/<c>gemma</c>), the tokenizer is also loaded as that family's.</param>
    public static void Validate(string checkpointPath, string tokenizerPath, string? modelName = null)
    {
        ArgumentNullException.ThrowIfNull(checkpointPath);
        ArgumentNullException.ThrowIfNull(tokenizerPath);
        if (!File.Exists(checkpointPath) && !Directory.Exists(checkpointPath))
            throw new CheckpointInvalidException($"checkpoint not found: {checkpointPath}");
        if (!File.Exists(tokenizerPath)) throw new CheckpointInvalidException($"tokenizer not found: {tokenizerPath}");
        // Checksums first: a file changed after conversion is reported as such, not as whatever parse error it causes.
        var directory = Directory.Exists(checkpointPath) ? checkpointPath : Path.GetDirectoryName(Path.GetFullPath(checkpointPath))!;
        var manifestPath = Path.Combine(directory, CheckpointManifest.FileName);
        if (File.Exists(manifestPath)) VerifyChecksums(manifestPath, directory);
        try
        {
            using (SafetensorsCheckpoint.Open(checkpointPath)) { }
            if (modelName is not null) TokenizerLoader.Load(modelName, tokenizerPath);
        }
        catch (Exception e) when (e is InvalidDataException or FileNotFoundException or ArgumentException or IOException)
        {
            throw new CheckpointInvalidException($"corrupt or unreadable checkpoint: {e.Message}", e);
        }
    }

    private static void VerifyChecksums(string manifestPath, string directory)
    {
        CheckpointManifest manifest;
        try
        {
            manifest = CheckpointManifest.Read(manifestPath);
        }
        catch (InvalidDataException e)
        {
            throw new CheckpointInvalidException(e.Message, e);
        }
        if (manifest.Layout != CheckpointLayouts.EngineName)
            throw new CheckpointInvalidException($"{manifestPath}: this checkpoint is in the {manifest.Layout} layout, for the JetStream-PyTorch server; this engine reads the {CheckpointLayouts.EngineName} layout (convert --layout {CheckpointLayouts.EngineName})");
        foreach (var (name, expected) in manifest.Files)
        {
            var path = Path.Combine(directory, name);
            if (!File.Exists(path)) throw new CheckpointInvalidException($"{name} is listed in {manifestPath} but missing");
            var actual = CheckpointManifest.Sha256(path);
            if (!string.Equals(actual, expected, StringComparison.OrdinalIgnoreCase))
                throw new CheckpointInvalidException($"checksum mismatch for {path}: manifest says {expected}, file has {actual}");
        }
    }
}
