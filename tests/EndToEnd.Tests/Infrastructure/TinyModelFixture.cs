namespace EndToEnd.Tests.Infrastructure;

/// <summary>One tiny Llama-3-shaped test model in Hugging Face layout, made once by the real engine for all
/// end-to-end tests (they run one after another: engines and runners would fight over two cores).</summary>
public sealed class TinyModelFixture : IAsyncLifetime
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "e2e-model-" + Guid.NewGuid().ToString("N")[..8]);

    public string Dir => Path.Combine(_root, "tiny-llama");

    /// <summary>Converted checkpoints shared by tests that are not about conversion: the runner skips a conversion
    /// whose output already matches (checksums), which saves each later test a convert.</summary>
    public string SharedArtifactsDir => Path.Combine(_root, "artifacts");

    public async Task InitializeAsync()
    {
        var result = await Commands.RunAsync("dotnet",
            [RepoPaths.EngineDll, "make-test-model", "--family", "llama-3", "--size", "tiny", "--out", Dir],
            new Dictionary<string, string?>(), TimeSpan.FromMinutes(3));
        if (result.ExitCode != 0) throw new InvalidOperationException($"engine make-test-model failed: {result}");
    }

    public Task DisposeAsync()
    {
        if (Directory.Exists(_root)) Directory.Delete(_root, recursive: true);
        return Task.CompletedTask;
    }
}
