namespace EngineImage.Tests.Serving;

/// <summary>A converted engine checkpoint and its tokenizer in a directory. Disposing deletes the directory.</summary>
public sealed record TinyModel(string ModelName, string Directory) : IDisposable
{
    public string CheckpointPath => Path.Combine(Directory, "model.safetensors");

    public string TokenizerPath => Path.Combine(Directory, "tokenizer.model");

    public void Dispose()
    {
        if (System.IO.Directory.Exists(Directory)) System.IO.Directory.Delete(Directory, recursive: true);
    }
}
