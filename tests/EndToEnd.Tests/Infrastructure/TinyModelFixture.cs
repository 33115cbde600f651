namespace EndToEnd.Tests.Infrastructure;

/// <summary>One tiny Llama-3-shaped test model in Hugging Face layout, made once by the real engine for all
/// end-to-end tests (they run one after another: engines and runners would fight over two cores).</summary>
public sealed class TinyModelFixture : IAsyncLifetime
{
    public string Dir { get; } = Path.Combine(Path.GetTempPath(), "e2e-model-" + Guid.NewGuid().ToString("N")[..8]);

    public async Task InitializeAsync()
    {
        var result = await Commands.RunAsync("dotnet",
            [RepoPaths.EngineDll, "make-test-model", "--family", "llama-3", "--size", "tiny", "--out", Dir],
            new Dictionary<string, string?>(), TimeSpan.FromMinutes(3));
        if (result.ExitCode != 0) throw new InvalidOperationException($"engine make-test-model failed: {result}");
    }

    public Task DisposeAsync()
    {
        if (Directory.Exists(Dir)) Directory.Delete(Dir, recursive: true);
        return Task.CompletedTask;
    }
}
