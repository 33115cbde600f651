using EngineImage.Checkpoints;

namespace EngineImage.Tests.Serving;

/// <summary>
/// The shared tiny llama-3 test model (seed 7) converted with the real converter, shared by the serving tests (and a
/// gemma one, for its SentencePiece tokenizer), with a server started on first use.
/// </summary>
public sealed class TinyModelFixture() : TestSupport.TinyModelFixture(seed: 7)
{
    public TinyModel Model { get; private set; } = null!;

    public string GemmaTokenizerPath { get; private set; } = "";

    private Task<ServingServer>? _shared;
    private readonly Lock _lock = new();

    /// <summary>A live server (4 slots, cache 256, f32) for tests that only read from it; started on first use.</summary>
    internal Task<ServingServer> SharedServerAsync()
    {
        lock (_lock) return _shared ??= ServingServer.StartAsync(ServingServer.Options(Model, slots: 4, cache: 256, bf16: false));
    }

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        Model = await ConvertAsync("llama-3", Dir);
        var gemma = Path.Combine(Root, "gemma-hf");
        await MakeAsync(gemma, "gemma", seed: 7);
        GemmaTokenizerPath = (await ConvertAsync("gemma", gemma)).TokenizerPath;
    }

    public override async Task DisposeAsync()
    {
        if (_shared is not null) await (await _shared).DisposeAsync();
        await base.DisposeAsync();
    }

    /// <summary>A private copy of the llama-3 model that a test may damage.</summary>
    public TinyModel CopyModel()
    {
        var copy = Path.Combine(Root, "copy-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(copy);
        foreach (var file in Directory.GetFiles(Model.Directory))
            File.Copy(file, Path.Combine(copy, Path.GetFileName(file)));
        return Model with { Directory = copy };
    }

    private async Task<TinyModel> ConvertAsync(string family, string hf)
    {
        var engine = Path.Combine(Root, family);
        await Task.Run(() => CheckpointConverter.Convert(hf, engine, int8: false));
        return new TinyModel(family, engine);
    }
}
