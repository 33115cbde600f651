namespace TestSupport;

/// <summary>
/// A tiny Llama-3-shaped test model in Hugging Face layout, made once per fixture by the real engine
/// (<c>engine make-test-model</c>, deterministic for its seed). Removed on dispose.
/// </summary>
public class TinyModelFixture : IAsyncLifetime
{
    private readonly int _seed;

    public TinyModelFixture() : this(seed: 0)
    {
    }

    protected TinyModelFixture(int seed)
    {
        _seed = seed;
    }

    /// <summary>This fixture's private temporary folder; everything it makes lives under it.</summary>
    public string Root { get; } = Path.Combine(Path.GetTempPath(), "tiny-model-" + Guid.NewGuid().ToString("N")[..12]);

    /// <summary>The model, in Hugging Face layout.</summary>
    public string Dir => Path.Combine(Root, "tiny-llama");

    /// <summary>The same as <see cref="Dir"/>.</summary>
    public string ModelDir => Dir;

    /// <summary>Converted checkpoints shared by tests that are not about conversion: the runner skips a conversion
    /// whose output already matches (checksums), which saves each later test a convert.</summary>
    public string SharedArtifactsDir => Path.Combine(Root, "artifacts");

    public virtual async Task InitializeAsync()
    {
        Directory.CreateDirectory(Root);
        await MakeAsync(Dir, "llama-3", _seed);
    }

    public virtual Task DisposeAsync()
    {
        try
        {
            if (Directory.Exists(Root)) Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
            // A process a test stopped may still be closing a file; the folder is in the temp directory.
        }
        return Task.CompletedTask;
    }

    /// <summary>Writes a tiny checkpoint of <paramref name="family"/> (<c>llama-3</c> or <c>gemma</c>) in Hugging Face
    /// layout into <paramref name="dir"/> with the real engine.</summary>
    public static async Task MakeAsync(string dir, string family = "llama-3", int seed = 0)
    {
        var result = await Commands.RunAsync("dotnet",
            [RepoPaths.EngineDll, "make-test-model", "--family", family, "--size", "tiny", "--out", dir,
             "--seed", seed.ToString(System.Globalization.CultureInfo.InvariantCulture)],
            new Dictionary<string, string?>(), TimeSpan.FromMinutes(3));
        if (result.ExitCode != 0) throw new InvalidOperationException($"engine make-test-model failed: {result}");
    }
}
