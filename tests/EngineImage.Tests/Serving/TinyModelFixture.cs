using EngineImage.Checkpoints;
using EngineImage.TestModels;

namespace EngineImage.Tests.Serving;

/// <summary>
/// One tiny llama-3 test model, made with <see cref="TestModelWriter"/> and converted with the real converter, shared by the serving tests (and a gemma one, for its SentencePiece tokenizer).
/// </summary>
public sealed class TinyModelFixture : IAsyncLifetime
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "engine-serving-tests-" + Guid.NewGuid().ToString("N"));

    public TinyModel Model { get; private set; } = null!;

    public string GemmaTokenizerPath { get; private set; } = "";

    private Task<ServingServer>? _shared;
    private readonly Lock _lock = new();

    /// <summary>A live server (4 slots, cache 256, f32) for tests that only read from it; started on first use.</summary>
    internal Task<ServingServer> SharedServerAsync()
    {
        lock (_lock) return _shared ??= ServingServer.StartAsync(ServingServer.Options(Model, slots: 4, cache: 256, bf16: false));
    }

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_root);
        Model = await MakeAsync("llama-3");
        GemmaTokenizerPath = (await MakeAsync("gemma")).TokenizerPath;
    }

    public async Task DisposeAsync()
    {
        if (_shared is not null) await (await _shared).DisposeAsync();
        Directory.Delete(_root, recursive: true);
    }

    /// <summary>A private copy of the llama-3 model that a test may damage.</summary>
    public TinyModel CopyModel()
    {
        var copy = Path.Combine(_root, "copy-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(copy);
        foreach (var file in Directory.GetFiles(Model.Directory))
            File.Copy(file, Path.Combine(copy, Path.GetFileName(file)));
        return Model with { Directory = copy };
    }

    private async Task<TinyModel> MakeAsync(string family)
    {
        var hf = Path.Combine(_root, family + "-hf");
        var engine = Path.Combine(_root, family);
        TestModelWriter.Write(family, "tiny", hf, seed: 7);
        await Task.Run(() => CheckpointConverter.Convert(hf, engine, int8: false));
        return new TinyModel(family, engine);
    }
}
